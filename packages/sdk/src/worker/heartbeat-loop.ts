// One heartbeat per interval for every lease this worker holds: extends them, carries pending progress
// and checkpoints, and hands each task's directive (cancel, suspend, lost) back to the worker.
import type { Directive } from '@jobnik/contracts';
import { computeBackoff } from '../transport/backoff.js';
import type { Transport } from '../transport/transport.js';
import { isRefusal } from './refusal.js';
import type { HeartbeatItem, LeaseEntry, LeaseRegistry } from './lease-registry.js';

/** Delays before the next beat after failures: 250 ms doubling up to 1 s (never more than the interval). */
const RETRY = { baseMs: 250, maxMs: 1_000, jitter: 0.2 };

/** The manager takes at most this many tasks per heartbeat (the contract's batch cap). */
export const MAX_TASKS_PER_BEAT = 1000;

export interface HeartbeatLoopOptions {
  workerId: string;
  intervalMs: number;
  leaseMs: number;
  stageTypes: () => string[];
  /** Delay before a heartbeat asked for early (a checkpoint was saved), so several coalesce. */
  soonMs: number;
}

export class HeartbeatLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private nextAt = Infinity;
  /** Heartbeats failed in a row. */
  private failures = 0;
  /** Aborts an outstanding heartbeat on stop: a hung manager must not hold up shutdown. */
  private controller = new AbortController();

  constructor(
    private readonly transport: Transport,
    private readonly leases: LeaseRegistry,
    private readonly o: HeartbeatLoopOptions,
    private readonly onDirective: (entry: LeaseEntry, directive: Exclude<Directive, 'continue'>) => void,
    /** `consecutive`: failed beats in a row, this one included. */
    private readonly onError: (err: unknown, consecutive: number) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.controller = new AbortController();
    this.schedule(0);
  }

  /** Beat within `soonMs` (coalesced), e.g. to persist a checkpoint now rather than at the next interval. */
  soon(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(this.o.soonMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.controller.abort();
    await this.running;
  }

  private schedule(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.timer && at >= this.nextAt) return;
    clearTimeout(this.timer);
    this.nextAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.nextAt = Infinity;
      this.running = this.beat().then((ok) => {
        this.running = undefined;
        if (this.stopped) return;
        const pending = ok && (this.again || this.leases.all().some((e) => e.hasUnsentCheckpoint));
        this.again = false;
        this.failures = ok ? 0 : this.failures + 1;
        this.schedule(pending ? this.o.soonMs : ok ? this.o.intervalMs : this.retryDelay());
      });
    }, delayMs);
  }

  /**
   * After a failed beat, the next one comes sooner than the interval (backing off up to RETRY.maxMs): it is
   * the probe that notices the manager is back, and handlers blocked in ctx.checkpoint() wait for it. The
   * breaker keeps this from hammering a manager that is away: while it is open the calls never leave.
   */
  private retryDelay(): number {
    return Math.min(this.o.intervalMs, computeBackoff(this.failures, RETRY));
  }

  /** One heartbeat (one call per MAX_TASKS_PER_BEAT leases); false when a call failed. */
  private async beat(): Promise<boolean> {
    const entries = this.leases.all();
    const byId = new Map(entries.map((e) => [e.taskId, e]));
    // The first call goes out even with no leases: it is also how the manager learns the worker is alive.
    for (let from = 0; from === 0 || from < entries.length; from += MAX_TASKS_PER_BEAT) {
      const items = entries.slice(from, from + MAX_TASKS_PER_BEAT).map((e) => e.heartbeatItem());
      try {
        await this.send(items, byId);
      } catch (err) {
        if (this.controller.signal.aborted) return false;
        if (!isRefusal(err) || !items.some((i) => carries(i.item))) {
          this.onError(err, this.failures + 1);
          return false;
        }
        // What one task carries (its progress, its checkpoint) was refused: every lease is extended without it, then
        // each task that carries something is sent alone, and the one the manager refuses has it dropped.
        this.onError(err, 1);
        if (!(await this.isolate(items, byId))) return false;
      }
    }
    return true;
  }

  private async send(items: BeatItem[], byId: Map<string, LeaseEntry>): Promise<void> {
    const res = await this.transport.call(
      'heartbeat',
      {
        params: { workerId: this.o.workerId },
        body: { stageTypes: this.o.stageTypes(), leaseMs: this.o.leaseMs, tasks: items.map((i) => i.item) },
      },
      { retry: 'idempotent', signal: this.controller.signal },
    );
    for (const i of items) i.commit();
    for (const t of res.tasks) {
      const entry = byId.get(t.taskId);
      if (entry && t.directive !== 'continue') this.onDirective(entry, t.directive);
    }
  }

  /** The leases alone in one call, then each task that carries something alone; false when a call failed otherwise. */
  private async isolate(items: BeatItem[], byId: Map<string, LeaseEntry>): Promise<boolean> {
    try {
      const leasesOnly = items.map((i) => ({ item: { taskId: i.item.taskId, leaseToken: i.item.leaseToken }, commit: () => undefined, refuse: () => undefined }));
      await this.send(leasesOnly, byId);
      for (const i of items.filter((i) => carries(i.item))) {
        try {
          await this.send([i], byId);
        } catch (err) {
          if (!isRefusal(err)) throw err;
          i.refuse(err instanceof Error ? err : new Error(String(err)));
        }
      }
      return true;
    } catch (err) {
      if (!this.controller.signal.aborted) this.onError(err, this.failures + 1);
      return false;
    }
  }
}

type BeatItem = ReturnType<LeaseEntry['heartbeatItem']>;

/** Whether a heartbeat item carries more than its lease. */
function carries(item: HeartbeatItem): boolean {
  return item.progress !== undefined || item.checkpoint !== undefined;
}
