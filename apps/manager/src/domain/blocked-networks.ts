// The networks webhook deliveries must not reach (webhooks.blockedNetworks): a tenant's webhook URL is a request the
// manager makes from inside the operator's network, so without this any producer key could make it POST to the cloud
// metadata service or to internal services. A list of CIDRs, single addresses and the alias `private`.
import { BlockList, isIP } from 'node:net';

/** Link-local (where the cloud metadata services answer: 169.254.169.254) and AWS's IPv6 metadata address. */
export const DEFAULT_BLOCKED_NETWORKS = '169.254.0.0/16,fe80::/10,fd00:ec2::254/128';

/** `private`: every address that is not on the public internet, for deployments whose tenants are not trusted. */
const PRIVATE = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '::/128',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

export class BlockedNetworks {
  private constructor(
    private readonly list: BlockList,
    /** As configured, for messages. */
    readonly text: string,
    readonly empty: boolean,
  ) {}

  /** Throws an Error naming the first entry that is neither a CIDR, an address nor `private`. */
  static parse(text: string): BlockedNetworks {
    const list = new BlockList();
    const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
    for (const entry of entries.flatMap((e) => (e.toLowerCase() === 'private' ? PRIVATE : [e]))) {
      const [address = '', prefix, ...rest] = entry.split('/');
      const family = isIP(address);
      const bits = family === 4 ? 32 : 128;
      const length = prefix === undefined ? bits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
      if (family === 0 || rest.length > 0 || !(length >= 0 && length <= bits)) {
        throw new Error(`"${entry}" is not a network: use CIDRs such as 10.0.0.0/8 or fc00::/7, single addresses, or "private"`);
      }
      list.addSubnet(address, length, family === 4 ? 'ipv4' : 'ipv6');
    }
    return new BlockedNetworks(list, entries.join(','), entries.length === 0);
  }

  /** Whether an IP address (v4, v6, or IPv4-mapped v6) is in a blocked network; false for anything that is not an IP. */
  blocks(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** A URL's host when it is an IP address in a blocked network (names are checked when they are resolved). */
  blockedLiteral(url: string): string | null {
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return null;
    }
    const address = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    return this.blocks(address) ? address : null;
  }
}
