// Delivers outbox events: POST with an HMAC-SHA256 signature, a timeout, retries with backoff, and a
// delivery log. At-least-once: a receiver dedupes on the x-jobnik-delivery header.
import { createHmac } from 'node:crypto';
import { WEBHOOK_HEADERS } from '@jobnik/contracts';
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { claimWebhookEvents, markDelivered, markFailedAttempt, type ClaimedEvent } from '../store/webhooks.js';
import { Periodic } from './periodic.js';

export interface WebhookOptions {
  /** Used when a subscription has no secret of its own; empty = unsigned. */
  secret: string;
  timeoutMs: number;
  maxAttempts: number;
  pollMs: number;
  retryBaseMs: number;
}

export function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
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

/** A cause's message, else its code; an AggregateError (one per address tried) lists its errors. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  if (!cause.message && cause instanceof AggregateError && cause.errors.length > 0) return cause.errors.map(describeCause).filter(Boolean).join('; ');
  return cause.message || String((cause as Error & { code?: unknown }).code ?? '');
}

export class WebhookDispatcher {
  private readonly loop: Periodic;

  constructor(
    private readonly db: Db,
    private readonly options: WebhookOptions,
    private readonly logger: Logger,
    private readonly onOutcome: (outcome: 'delivered' | 'retry' | 'failed') => void = () => undefined,
  ) {
    this.loop = new Periodic('webhook delivery round', options.pollMs, () => this.deliverDue(), logger);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One round: claim due events (the claim is a lease: a crashed manager's claims come back) and deliver them concurrently. */
  private async deliverDue(): Promise<void> {
    const events = await claimWebhookEvents(this.db, 20, this.options.timeoutMs * 2 + 1000);
    await Promise.all(events.map((e) => this.deliver(e)));
  }

  private async deliver(e: ClaimedEvent): Promise<void> {
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
    const secret = e.secret ?? this.options.secret;
    if (secret) headers[WEBHOOK_HEADERS.signature] = sign(secret, timestamp, body);
    let status: number | null = null;
    let error = '';
    try {
      const res = await fetch(e.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.options.timeoutMs), redirect: 'manual' });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        await markDelivered(this.db, e.id, status);
        this.onOutcome('delivered');
        return;
      }
      error = `HTTP ${status}`;
    } catch (err) {
      error = deliveryError(err, this.options.timeoutMs);
    }
    const giveUp = e.attempts >= this.options.maxAttempts;
    await markFailedAttempt(this.db, e.id, status, error, giveUp, this.options.retryBaseMs);
    this.onOutcome(giveUp ? 'failed' : 'retry');
    this.logger.warn({ deliveryId: e.id, url: e.url, attempts: e.attempts, status, error, giveUp }, 'webhook delivery failed');
  }
}
