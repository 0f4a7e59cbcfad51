// The push path of cancel and suspend. While handlers run, one long-poll POST /workers/{id}/directives is
// parked on the manager with the leases this worker holds; the manager answers as soon as one of its tasks
// (or one it leases meanwhile) is cancelled or suspended, so the handler's signal aborts within milliseconds
// instead of at the next heartbeat. Heartbeats still carry the same directives: they are the fallback (an
// older manager without the route, an outage), so nothing is lost when this loop cannot run.
import { BackgroundLoop } from './background-loop.js';
import { NotFoundError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import type { BackoffParams } from '../transport/backoff.js';
import { sleep } from '../util/abortable-sleep.js';
import { EMPTY_PAUSE_MS, MIN_EMPTY_POLL_MS, pollRetryDelay } from './dequeue-loop.js';
import type { LeaseEntry, LeaseRegistry } from './lease-registry.js';

/** The contract's cap on leases listed in one poll (later ones are still covered by the workerId). */
const MAX_LISTED = 1000;

export interface DirectiveLoopOptions {
  workerId: string;
  waitMs: number;
  backoff: BackoffParams;
}

export class DirectiveLoop extends BackgroundLoop {
  constructor(
    private readonly transport: Transport,
    private readonly leases: LeaseRegistry,
    private readonly o: DirectiveLoopOptions,
    private readonly onDirective: (entry: LeaseEntry, directive: 'cancel' | 'suspend') => void,
    private readonly onError: (err: unknown, consecutive: number) => void,
  ) {
    super();
  }

  protected async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      await this.leases.waitForRunning(signal);
      if (signal.aborted) break;
      const tasks = this.leases
        .running()
        .slice(0, MAX_LISTED)
        .map((e) => ({ taskId: e.taskId, leaseToken: e.leaseToken }));
      // Outside the closed state the call is a probe: do not let it hang on a long-poll.
      const waitMs = this.transport.breakerState === 'closed' ? this.o.waitMs : 0;
      const started = Date.now();
      try {
        const res = await this.transport.call(
          'workerDirectives',
          { params: { workerId: this.o.workerId }, body: { tasks, waitMs } },
          { signal, retry: 'never', timeoutMs: waitMs + this.transport.options.longPollMarginMs },
        );
        failures = 0;
        for (const t of res.tasks) {
          const entry = this.leases.get(t.taskId);
          if (entry) this.onDirective(entry, t.directive);
        }
        if (res.tasks.length === 0 && waitMs > 0 && Date.now() - started < MIN_EMPTY_POLL_MS) await sleep(EMPTY_PAUSE_MS, signal);
      } catch (err) {
        if (signal.aborted) break;
        // A manager without the route: heartbeats alone carry directives, as before.
        if (err instanceof NotFoundError && err.code === 'ROUTE_NOT_FOUND') return;
        failures++;
        this.onError(err, failures);
        await sleep(pollRetryDelay(err, failures, this.transport, this.o.backoff), signal);
      }
    }
  }
}
