// A loop that runs in the background from start() until stop(): stop() aborts its signal (and so any
// outstanding call of it) and waits for the loop to end. The long-poll loops (dequeue, directives) are these.
export abstract class BackgroundLoop {
  private controller: AbortController | undefined;
  private loop: Promise<void> | undefined;

  start(): void {
    if (this.loop) return;
    this.controller = new AbortController();
    this.loop = this.run(this.controller.signal);
  }

  /** Aborts the loop's signal and waits for the loop to end. */
  async stop(): Promise<void> {
    this.controller?.abort();
    await this.loop;
    this.loop = undefined;
  }

  protected abstract run(signal: AbortSignal): Promise<void>;
}
