// A background loop: runs `work` every intervalMs, never two at once, logs failures, and stops cleanly
// (waiting for a run in progress). Every replica runs its own; the work itself must be replica-safe.
// While the database is unreachable the loop keeps trying on its interval but says so once, and once more when it
// answers again — not an error with a stack trace per tick for as long as the outage lasts.
import type { Logger } from 'pino';
import { errorLine, isConnectionError } from '../db/db.js';

export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** When the current database outage was first met (performance.now()), or null. */
  private outageSince: number | null = null;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly logger: Logger,
    private readonly options: {
      runOnStop?: boolean;
      /**
       * When the process stood still longer than this (a stop signal, a paused VM, a long GC), skip the run that comes
       * due first: timers run before the requests that waited in the sockets meanwhile are read. One run at most.
       */
      skipAfterStallMs?: number;
    } = {},
  ) {}

  /** When the interval last fired (performance.now()), and whether its run was skipped. */
  private lastFired = 0;
  private skipped = false;

  start(): void {
    if (this.timer) return;
    this.lastFired = performance.now();
    this.timer = setInterval(() => this.fire(), this.intervalMs);
    this.timer.unref();
  }

  private fire(): void {
    const now = performance.now();
    const stalledMs = now - this.lastFired - this.intervalMs;
    this.lastFired = now;
    const skip = this.options.skipAfterStallMs !== undefined && stalledMs > this.options.skipAfterStallMs && !this.skipped;
    this.skipped = skip;
    if (skip) {
      this.logger.warn({ stalledMs: Math.round(stalledMs) }, `${this.name} put off by one interval: the process stood still; requests that waited meanwhile go first`);
      return;
    }
    void this.runOnce();
  }

  /** Runs now unless a run is already in progress (then waits for that one). */
  async runOnce(): Promise<void> {
    if (!this.running) {
      this.running = this.work()
        .then(
          () => this.succeeded(),
          (err: unknown) => this.failed(err),
        )
        .finally(() => (this.running = null));
    }
    await this.running;
  }

  private succeeded(): void {
    if (this.outageSince === null) return;
    this.logger.info({ pausedMs: Math.round(performance.now() - this.outageSince) }, `${this.name} resumed: the database answers again`);
    this.outageSince = null;
  }

  private failed(err: unknown): void {
    if (!isConnectionError(err)) {
      this.logger.error({ err }, `${this.name} failed`);
      return;
    }
    if (this.outageSince !== null) return;
    this.outageSince = performance.now();
    this.logger.warn({ error: errorLine(err), retryEveryMs: this.intervalMs }, `${this.name} paused: the database is unreachable (trying again every interval; logged once until it answers)`);
  }

  /** Stops the timer and waits for a run in progress (then runs once more with runOnStop). */
  async stop(): Promise<void> {
    const wasStarted = this.timer !== null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    if (wasStarted && this.options.runOnStop) await this.runOnce();
  }
}
