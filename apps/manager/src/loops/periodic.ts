// A background loop: runs `work` every intervalMs, never two at once, logs failures, and stops cleanly
// (waiting for a run in progress). Every replica runs its own; the work itself must be replica-safe.
import type { Logger } from 'pino';

export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly logger: Logger,
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
        .then(() => undefined)
        .catch((err: unknown) => this.logger.error({ err }, `${this.name} failed`))
        .finally(() => (this.running = null));
    }
    await this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
