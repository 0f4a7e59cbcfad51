// Buffers completes, fails and releases and sends each kind as one batch every few ms (or at N items):
// one POST /tasks/complete, /tasks/fail, /tasks/release per flush. Outcomes come back per item.
// While the manager is unreachable, items stay buffered and are sent again (acks are fenced by the lease
// token, so a repeat is harmless); other errors reject the items they concern.
import type { AckOutcome, JsonValue } from '@jobnik/contracts';
import { JobnikError, ManagerUnavailableError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import { isRefusal } from './refusal.js';

export type AckKind = 'complete' | 'fail' | 'release';

export interface FailureInfo {
  message: string;
  code?: string;
  stack?: string;
  retryable?: boolean;
}

export interface AckItems {
  complete: { taskId: string; leaseToken: string; result?: JsonValue };
  fail: { taskId: string; leaseToken: string; error: FailureInfo; checkpoint?: JsonValue };
  release: { taskId: string; leaseToken: string; checkpoint?: JsonValue };
}

export interface AckBufferOptions {
  /** Wait at most this long for more items before sending. */
  flushMs: number;
  /** Send at once when this many items of one kind are waiting (max 1000, the contract's batch cap). */
  maxBatch: number;
  /** Delay before sending again after the manager was unreachable. */
  retryMs: number;
}

interface Pending<K extends AckKind> {
  item: AckItems[K];
  resolve: (o: AckOutcome) => void;
  reject: (e: unknown) => void;
}

const ROUTE = { complete: 'completeTasks', fail: 'failTasks', release: 'releaseTasks' } as const;
const KINDS: readonly AckKind[] = ['complete', 'fail', 'release'];

export class AckBuffer {
  private readonly queues: { [K in AckKind]: Pending<K>[] } = { complete: [], fail: [], release: [] };
  private readonly inFlight: { [K in AckKind]: Promise<void> | undefined } = { complete: undefined, fail: undefined, release: undefined };
  private readonly timers: { [K in AckKind]: NodeJS.Timeout | undefined } = { complete: undefined, fail: undefined, release: undefined };
  /** Draining: send at once, no more waiting for company. */
  private closed = false;
  /** Past the drain deadline: nothing more is sent. */
  private dead = false;

  constructor(
    private readonly transport: Transport,
    private readonly o: AckBufferOptions,
  ) {}

  complete(item: AckItems['complete']): Promise<AckOutcome> {
    return this.push('complete', item);
  }
  fail(item: AckItems['fail']): Promise<AckOutcome> {
    return this.push('fail', item);
  }
  release(item: AckItems['release']): Promise<AckOutcome> {
    return this.push('release', item);
  }

  /** Items waiting or being sent. */
  get pending(): number {
    return KINDS.reduce((n, k) => n + this.queues[k].length, 0) + KINDS.filter((k) => this.inFlight[k]).length;
  }

  private push<K extends AckKind>(kind: K, item: AckItems[K]): Promise<AckOutcome> {
    return new Promise((resolve, reject) => {
      if (this.dead) return reject(new ManagerUnavailableError('worker stopped: ack not sent', { code: 'ABORTED' }));
      (this.queues[kind] as Pending<K>[]).push({ item, resolve, reject });
      if (this.queues[kind].length >= this.o.maxBatch || this.closed) this.flushKind(kind, 0);
      else this.flushKind(kind, this.o.flushMs);
    });
  }

  private flushKind(kind: AckKind, delayMs: number): void {
    if (this.inFlight[kind] || this.dead) return; // the running send picks the rest up when it ends
    if (delayMs > 0) {
      this.timers[kind] ??= setTimeout(() => {
        this.timers[kind] = undefined;
        this.flushKind(kind, 0);
      }, delayMs);
      return;
    }
    clearTimeout(this.timers[kind]);
    this.timers[kind] = undefined;
    if (this.queues[kind].length === 0) return;
    const batch = this.queues[kind].splice(0, Math.min(this.o.maxBatch, 1000));
    this.inFlight[kind] = this.send(kind, batch).finally(() => {
      this.inFlight[kind] = undefined;
      if (this.queues[kind].length > 0) this.flushKind(kind, this.queues[kind].length >= this.o.maxBatch || this.closed ? 0 : this.o.flushMs);
    });
  }

  private async send<K extends AckKind>(kind: K, batch: Pending<K>[]): Promise<void> {
    try {
      const route: 'completeTasks' = ROUTE[kind] as 'completeTasks'; // the three share one answer shape
      const res = await this.transport.call(route, { body: { items: batch.map((p) => p.item) as never } }, { retry: 'idempotent' });
      batch.forEach((p, i) => {
        const outcome = res.items[i];
        if (outcome) p.resolve(outcome);
        else p.reject(new JobnikError(`no outcome for task ${p.item.taskId}`, { code: 'HTTP_ERROR' }));
      });
    } catch (err) {
      if (err instanceof ManagerUnavailableError && !this.dead) {
        // Keep them, in order, ahead of newer items; try again after a pause.
        (this.queues[kind] as Pending<K>[]).unshift(...batch);
        await new Promise((r) => setTimeout(r, this.closed ? Math.min(100, this.o.retryMs) : this.o.retryMs));
        return;
      }
      if (batch.length > 1 && isRefusal(err)) {
        // One bad item must not sink the others: send them one by one.
        await Promise.all(batch.map((p) => this.send(kind, [p])));
        return;
      }
      for (const p of batch) p.reject(err);
    }
  }

  /** From now on nothing waits for company (the worker is stopping). */
  sendImmediately(): void {
    this.closed = true;
    for (const k of KINDS) this.flushKind(k, 0);
  }

  /**
   * Sends everything now and waits, at most until `deadline` (epoch ms). Items still unsent then are
   * rejected: their leases will expire and the tasks run again elsewhere.
   */
  async drain(deadline: number): Promise<void> {
    this.closed = true;
    for (const k of KINDS) this.flushKind(k, 0);
    while (this.pending > 0 && Date.now() < deadline) {
      const running = KINDS.map((k) => this.inFlight[k]).filter(Boolean);
      const left = deadline - Date.now();
      await Promise.race([Promise.all(running), new Promise((r) => setTimeout(r, Math.max(1, Math.min(left, 50))))]);
      for (const k of KINDS) this.flushKind(k, 0);
    }
    this.dead = true;
    for (const k of KINDS) {
      clearTimeout(this.timers[k]);
      for (const p of this.queues[k].splice(0)) {
        p.reject(new ManagerUnavailableError('ack not delivered before shutdown deadline', { code: 'TIMEOUT' }));
      }
    }
  }
}
