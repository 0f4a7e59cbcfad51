// Waiting on a condition with a deadline: the only way these tests synchronise with the UI and the worker.

export interface WaitOptions {
  /** Give up after this long. Default 15 000 ms. */
  timeoutMs?: number;
  /** Time between checks. Default 50 ms. */
  intervalMs?: number;
}

/**
 * Calls `check` until it returns something other than undefined/false and returns that. On the deadline,
 * throws an error naming what was awaited and the last value seen (or the last error thrown).
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, opts: WaitOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${seen})`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
