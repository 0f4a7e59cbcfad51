// Concurrency slots of one lane (the worker's main slots, or its quiet slots): at most `size` handlers run at once,
// across all stage types; and at most `maxHeld` leases are held at once — a lease is held from its handler's start
// until its ack is answered. When acks fall behind (a slow or busy manager), finished tasks pile up waiting for
// theirs: the cap stops the worker asking for more work than it can report, instead of holding ever more leases that
// its heartbeats must keep extending.
export class Slots {
  private used = 0;
  private held = 0;
  private waiters: (() => void)[] = [];

  constructor(
    readonly size: number,
    readonly maxHeld: number = Number.MAX_SAFE_INTEGER,
  ) {}

  get inUse(): number {
    return this.used;
  }

  /** Leases held: handlers running plus finished tasks whose ack is not answered yet. */
  get leasesHeld(): number {
    return this.held;
  }

  get free(): number {
    return Math.min(this.size - this.used, this.maxHeld - this.held);
  }

  /** No room only because of leases waiting for their acks (handler slots are free). */
  get waitingForAcks(): boolean {
    return this.held >= this.maxHeld && this.used < this.size;
  }

  /** A task starts: a handler slot and a held lease. */
  take(): void {
    this.used++;
    this.held++;
    if (this.waiters.length > 0) this.wake();
  }

  /** Its handler returned (or was abandoned). */
  give(): void {
    this.used--;
    this.wake();
  }

  /** Its lease is no longer held: the ack was answered, or the task was given back. */
  settle(): void {
    this.held--;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  /**
   * Resolves once a slot is free (at once if one is), or when the signal aborts. `onWaitForAcks` is called once if,
   * during the wait, only leases waiting for their acks leave no room.
   */
  async waitForFree(signal?: AbortSignal, onWaitForAcks?: () => void): Promise<void> {
    let reported = false;
    // A wake-up is a change, not a promise of room: a handler returning frees no room while the held-lease cap is reached.
    while (this.free <= 0 && !signal?.aborted) {
      if (!reported && this.waitingForAcks) {
        reported = true;
        onWaitForAcks?.();
      }
      await this.change(signal);
    }
  }

  /** Resolves once no slot is free (at once if none is), or when the signal aborts. */
  async waitForFull(signal?: AbortSignal): Promise<void> {
    while (this.free > 0 && !signal?.aborted) await this.change(signal);
  }

  private change(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
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
    while (this.used > 0) await this.change();
  }
}
