// Lets a test decide when the worker's handlers may finish: each release lets that many waiting (or
// future) handlers through, in arrival order.

export class Gate {
  private permits = 0;
  private readonly waiting: Array<() => void> = [];
  /** Handlers that reached the gate and are still held there. */
  get held(): number {
    return this.waiting.length;
  }

  /** Resolves when a permit is given; rejects when `signal` aborts first. */
  pass(signal: AbortSignal): Promise<void> {
    if (this.permits > 0) {
      this.permits--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
    });
  }

  release(n: number): void {
    for (let i = 0; i < n; i++) {
      const next = this.waiting.shift();
      if (next) next();
      else this.permits++;
    }
  }
}
