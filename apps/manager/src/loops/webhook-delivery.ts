// One delivery of one outbox event: a signed JSON POST with a timeout, and what came of it. The dispatcher decides
// what to record; this module only talks to the receiver.
import { createHmac } from 'node:crypto';
import { WEBHOOK_HEADERS } from '@jobnik/contracts';
import { fetch, type Dispatcher } from 'undici';
import type { BlockedNetworks } from '../domain/blocked-networks.js';
import type { ClaimedEvent } from '../store/webhooks.js';
import { BlockedAddressError } from './webhook-agent.js';

export type DeliveryOutcome =
  | { delivered: true; status: number }
  /** `stopped`: cut short by the manager's shutdown, not the receiver's doing. */
  | { delivered: false; status: number | null; error: string; stopped: boolean };

export function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** How deliveries connect: the pool whose lookup skips blocked addresses, and those networks for hosts given as addresses. */
export interface DeliveryRoute {
  agent: Dispatcher;
  blocked: BlockedNetworks;
}

/** POSTs the event; `defaultSecret` signs it when the subscription has no secret of its own (empty: unsigned). */
export async function postWebhook(e: ClaimedEvent, defaultSecret: string, timeoutMs: number, shutdown: AbortSignal, route: DeliveryRoute): Promise<DeliveryOutcome> {
  // A host given as an address is connected to without a lookup: checked here (a URL stored before the setting changed).
  const literal = route.blocked.blockedLiteral(e.url);
  if (literal) return { delivered: false, status: null, error: new BlockedAddressError(literal, literal).message, stopped: false };
  const body = JSON.stringify({ deliveryId: String(e.id), ...e.payload });
  const timestamp = String(Date.now());
  // The subscription's own headers first: the delivery's cannot be overridden (the contract refuses those names too).
  const headers: Record<string, string> = {
    ...(e.headers ?? {}),
    'content-type': 'application/json',
    'user-agent': 'jobnik-webhooks',
    [WEBHOOK_HEADERS.timestamp]: timestamp,
    [WEBHOOK_HEADERS.event]: e.event,
    [WEBHOOK_HEADERS.delivery]: String(e.id),
  };
  const secret = e.secret ?? defaultSecret;
  if (secret) headers[WEBHOOK_HEADERS.signature] = sign(secret, timestamp, body);
  let status: number | null = null;
  // One controller for the timeout and the shutdown, not AbortSignal.any(): on Node 20 a combined signal can be
  // garbage-collected while fetch waits, and its timeout then never fires (a receiver that never answers held the
  // slot for good).
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  const stop = () => abort.abort(shutdown.reason);
  shutdown.addEventListener('abort', stop, { once: true });
  try {
    const res = await fetch(e.url, { method: 'POST', headers, body, signal: abort.signal, redirect: 'manual', dispatcher: route.agent });
    status = res.status;
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { delivered: true, status };
    return { delivered: false, status, error: `HTTP ${status}`, stopped: false };
  } catch (err) {
    return { delivered: false, status, error: deliveryError(err, timeoutMs), stopped: shutdown.aborted };
  } finally {
    clearTimeout(timer);
    shutdown.removeEventListener('abort', stop);
  }
}

/**
 * What went wrong with a delivery, for the delivery log. fetch rejects with a bare "fetch failed" whatever happened;
 * the reason (a refused connection, a name that does not resolve, a header it will not send) is in its cause.
 */
export function deliveryError(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: unknown };
  if (e?.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  const message = e instanceof Error ? e.message : String(err);
  const cause = e instanceof Error && e.cause !== undefined ? describeCause(e.cause) : '';
  return cause && cause !== message ? `${message}: ${cause}` : message;
}

/** A cause's message, else its code; an AggregateError without a message (one error per address tried) lists its errors. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  if (!cause.message && cause instanceof AggregateError && cause.errors.length > 0) return cause.errors.map(describeCause).filter(Boolean).join('; ');
  return cause.message || String((cause as Error & { code?: unknown }).code ?? '');
}
