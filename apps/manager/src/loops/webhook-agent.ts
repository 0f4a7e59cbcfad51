// The connection pool deliveries go through: every host name a delivery connects to is resolved here and only
// addresses outside webhooks.blockedNetworks are connected to. The check sits in the connection's own lookup, so the
// address checked is the address used (a name that resolves to a public address when checked and to 169.254.169.254
// when connected — DNS rebinding — cannot slip between the two).
import { lookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import type { BlockedNetworks } from '../domain/blocked-networks.js';

/** A delivery refused because its host is in a blocked network; its message goes to the delivery log. */
export class BlockedAddressError extends Error {
  readonly code = 'EWEBHOOKBLOCKED';
  constructor(host: string, address: string) {
    super(`${host === address ? address : `${host} (${address})`} is in webhooks.blockedNetworks`);
  }
}

/** net.connect's lookup, answering only with allowed addresses (in the form asked for: one, or all). */
export function guardedLookup(blocked: BlockedNetworks): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...(options as LookupAllOptions), all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const allowed = addresses.filter((a) => !blocked.blocks(a.address));
      if (allowed.length === 0) return callback(new BlockedAddressError(hostname, addresses[0]?.address ?? hostname), '', 0);
      if ((options as LookupAllOptions).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/** Without blocked networks, the lookup is Node's own. */
export function webhookAgent(blocked: BlockedNetworks): Agent {
  return new Agent(blocked.empty ? {} : { connect: { lookup: guardedLookup(blocked) } });
}
