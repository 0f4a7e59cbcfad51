// Delivers outbox events as a pipeline: up to `concurrency` deliveries in flight, at most `perEndpointConcurrency` of
// them to one endpoint (a tenant's URL) and half of them for one tenant, so an endpoint that never answers holds its own
// slots and no one else's, and one tenant's many dead endpoints leave the other half to the other tenants.
// At-least-once: a receiver dedupes on the x-jobnik-delivery header.
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { claimWebhookEvents, markDelivered, markFailedAttempt, releaseWebhookEvent, type ClaimedEvent } from '../store/webhooks.js';
import { Periodic } from './periodic.js';
import type { BlockedNetworks } from '../domain/blocked-networks.js';
import { webhookAgent } from './webhook-agent.js';
import { postWebhook, type DeliveryRoute } from './webhook-delivery.js';

export interface WebhookOptions {
  /** Used when a subscription has no secret of its own; empty = unsigned. */
  secret: string;
  timeoutMs: number;
  maxAttempts: number;
  pollMs: number;
  retryBaseMs: number;
  /** Deliveries in flight at once in this process. */
  concurrency: number;
  /** Of those, most to one endpoint (a tenant's URL). */
  perEndpointConcurrency: number;
  /** Networks no delivery may reach (webhooks.blockedNetworks, parsed). */
  blockedNetworks: BlockedNetworks;
}

export class WebhookDispatcher {
  private readonly loop: Periodic;
  /** Deliveries in flight, each until its outcome is recorded. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Deliveries in flight by endpoint and by tenant: what the claim must leave alone. */
  private readonly busyEndpoints = new Map<string, number>();
  private readonly busyTenants = new Map<string, number>();
  /** A slot freed while a claim ran: claim once more after it. */
  private refill = false;
  /** The last claim filled every free slot: due events may be waiting for one. */
  private slotsFull = false;
  private stopping = false;
  private readonly shutdown = new AbortController();
  private readonly route: DeliveryRoute;
  private agentClosed: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly options: WebhookOptions,
    private readonly logger: Logger,
    private readonly onOutcome: (outcome: 'delivered' | 'retry' | 'failed') => void = () => undefined,
  ) {
    // The poll finds events that became due (new ones, retries whose backoff ran out); a delivery that ends claims
    // the next at once when work may be waiting for its slot. The loop keeps its name: the outage log lines carry it.
    this.loop = new Periodic('webhook delivery round', options.pollMs, () => this.fill(), logger);
    this.route = { agent: webhookAgent(options.blockedNetworks), blocked: options.blockedNetworks };
  }

  start(): void {
    this.loop.start();
  }

  /**
   * Claims nothing more, cuts the deliveries in flight short and gives their claims back (due at once, the attempt
   * not counted), so shutdown does not wait out a receiver's timeout; a claim it cannot give back (database gone)
   * returns when its lease runs out.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop.stop();
    this.shutdown.abort();
    await Promise.all(this.inFlight);
    // Once, however often stop() is called (a closed pool refuses a second close).
    this.agentClosed ??= this.route.agent.close();
    await this.agentClosed;
  }

  /** Claims due events for the free slots (the claim is a lease: a crashed manager's claims come back) and starts them. */
  private async fill(): Promise<void> {
    do {
      this.refill = false;
      const free = this.options.concurrency - this.inFlight.size;
      if (this.stopping || free <= 0) return;
      const events = await claimWebhookEvents(this.db, {
        max: free,
        leaseMs: this.options.timeoutMs * 2 + 1000,
        perEndpoint: this.options.perEndpointConcurrency,
        perTenant: this.perTenant,
        busyEndpoints: this.busyEndpoints,
        busyTenants: this.busyTenants,
      });
      this.slotsFull = events.length >= free;
      for (const e of events) this.launch(e);
    } while (this.refill);
  }

  /** Half the slots at most for one tenant: its dead endpoints, however many, leave the other half to the others. */
  private get perTenant(): number {
    return Math.max(1, Math.ceil(this.options.concurrency / 2));
  }

  private launch(e: ClaimedEvent): void {
    count(this.busyEndpoints, e.endpoint, 1);
    count(this.busyTenants, e.tenant, 1);
    const delivery = this.deliver(e)
      .catch((err: unknown) => this.logger.error({ err, deliveryId: e.id }, 'webhook delivery could not be recorded; its lease brings it back'))
      .finally(() => this.settled(e, delivery));
    this.inFlight.add(delivery);
  }

  private settled(e: ClaimedEvent, delivery: Promise<void>): void {
    const wasAtCap = (this.busyEndpoints.get(e.endpoint) ?? 0) >= this.options.perEndpointConcurrency || (this.busyTenants.get(e.tenant) ?? 0) >= this.perTenant;
    this.inFlight.delete(delivery);
    count(this.busyEndpoints, e.endpoint, -1);
    count(this.busyTenants, e.tenant, -1);
    // Claim now only when the freed slot may have work waiting for it: every slot was taken, or its endpoint's or tenant's were.
    // Otherwise the last claim took everything due, and the poll finds what comes due next (no claim per delivery).
    if (this.stopping || !(this.slotsFull || wasAtCap)) return;
    this.refill = true;
    // A claim that was just finishing did not see the flag: run once more then.
    void this.loop.runOnce().then(() => (this.refill && !this.stopping ? this.loop.runOnce() : undefined));
  }

  private async deliver(e: ClaimedEvent): Promise<void> {
    const outcome = await postWebhook(e, this.options.secret, this.options.timeoutMs, this.shutdown.signal, this.route);
    if (outcome.delivered) {
      await markDelivered(this.db, e.id, outcome.status);
      this.onOutcome('delivered');
      return;
    }
    if (outcome.stopped) {
      await releaseWebhookEvent(this.db, e.id);
      return;
    }
    const giveUp = e.attempts >= this.options.maxAttempts;
    // The backoff counts from now, the failure, whatever else is in flight.
    await markFailedAttempt(this.db, e.id, outcome.status, outcome.error, giveUp, this.options.retryBaseMs);
    this.onOutcome(giveUp ? 'failed' : 'retry');
    this.logger.warn({ deliveryId: e.id, url: e.url, attempts: e.attempts, status: outcome.status, error: outcome.error, giveUp }, 'webhook delivery failed');
  }
}

/** Adds `by` to a count of deliveries in flight, dropping a key that reaches 0. */
function count(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
