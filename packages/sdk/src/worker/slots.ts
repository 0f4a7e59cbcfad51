// Concurrency slots: at most `size` handlers run at once, across all stage types.
export class Slots {
  private used = 0;
  private waiters: (() => void)[] = [];

  constructor(readonly size: number) {}

  get inUse(): number {
    return this.used;
  }

  get free(): number {
    return this.size - this.used;
  }

  take(): void {
    this.used++;
  }

  give(): void {
    this.used--;
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  /** Resolves once a slot is free (at once if one is), or when the signal aborts. */
  waitForFree(signal?: AbortSignal): Promise<void> {
    if (this.free > 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Resolves once no slot is used. */
  async waitForIdle(): Promise<void> {
    while (this.used > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}
