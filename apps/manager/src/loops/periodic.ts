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
    private readonly options: { runOnStop?: boolean } = {},
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
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
