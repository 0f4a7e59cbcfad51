// The loop that leases work: a long-poll POST /dequeue for every registered stage type, asking for as many tasks
// as there are free slots of its lane (the quiet lane's loop asks only for quiet queues' tasks). Never retried
// blindly (a lost answer is covered by the lease expiring); after a failure, or while the breaker is open, it waits —
// abortably — instead of spinning.
import { BackgroundLoop } from './background-loop.js';
import type { DequeueResponse } from '@jobnik/contracts';
import { JobnikError } from '../errors.js';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';
import { computeBackoff, type BackoffParams } from '../transport/backoff.js';
import type { Transport } from '../transport/transport.js';
import { sleep } from '../util/abortable-sleep.js';
import type { Slots } from './slots.js';
import type { ResolvedWorkerOptions } from './worker-options.js';

/** An empty answer faster than this is not a long-poll (e.g. a paused queue, a closing manager): pause before asking again. */
export const MIN_EMPTY_POLL_MS = 100;
export const EMPTY_PAUSE_MS = 250;

/** How long a long-poll loop waits after a failed call: the breaker's half-open time, Retry-After, or backoff. */
export function pollRetryDelay(err: unknown, failures: number, transport: Transport, backoff: BackoffParams): number {
  if (err instanceof JobnikError && err.code === 'CIRCUIT_OPEN') return transport.options.breaker.halfOpenAfterMs;
  return (err as JobnikError).retryAfterMs ?? computeBackoff(failures, backoff);
}

export class DequeueLoop extends BackgroundLoop {
  constructor(
    private readonly transport: Transport,
    private readonly slots: Slots,
    private readonly metrics: WorkerMetrics,
    private readonly o: ResolvedWorkerOptions,
    private readonly stageTypes: () => string[],
    /** `sentAt`: performance.now() just before the request went out, to date the leases by. */
    private readonly onTasks: (res: DequeueResponse, sentAt: number) => void,
    private readonly onError: (err: unknown, consecutive: number) => void,
    /**
     * The quiet lane's loop (WorkerOptions.quietSlots): only from queues with no task in progress, and only while the
     * main lane (these slots) is full — with a main slot free, the main loop takes a quiet tenant's work itself.
     */
    private readonly quiet?: { mainSlots: Slots },
  ) {
    super();
  }

  protected async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      await this.slots.waitForFree(signal, () => this.metrics.dequeueWaitsForAcks.inc());
      if (this.quiet) await this.quiet.mainSlots.waitForFull(signal);
      if (signal.aborted) break;
      // Outside the closed state the call is a probe: do not let it hang on a long-poll.
      const waitMs = this.transport.breakerState === 'closed' ? this.o.waitMs : 0;
      const max = Math.min(this.slots.free, this.o.maxDequeueBatch);
      const started = Date.now();
      const sentAt = performance.now();
      let res: DequeueResponse;
      try {
        this.metrics.dequeueRequests.inc();
        res = await this.transport.call(
          'dequeueMany',
          {
            body: {
              workerId: this.o.workerId,
              max,
              waitMs,
              leaseMs: this.o.leaseMs,
              stageTypes: this.stageTypes(),
              ...(this.o.tenantId ? { tenantId: this.o.tenantId } : {}),
              ...(this.quiet ? { quietOnly: true } : {}),
            },
          },
          { signal, retry: 'never', timeoutMs: waitMs + this.transport.options.longPollMarginMs },
        );
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        this.onError(err, failures);
        await sleep(pollRetryDelay(err, failures, this.transport, this.o.dequeueBackoff), signal);
        continue;
      }
      failures = 0;
      if (res.tasks.length === 0) {
        this.metrics.dequeueEmpty.inc();
        if (waitMs > 0 && Date.now() - started < MIN_EMPTY_POLL_MS) await sleep(EMPTY_PAUSE_MS, signal);
        continue;
      }
      this.onTasks(res, sentAt);
    }
  }
}
