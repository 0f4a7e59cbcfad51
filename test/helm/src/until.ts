// Waiting on a condition with a deadline, for the tests that watch a real Prometheus or manager change.
import { waitFor } from '@jobnik/manager/testing';

/** Polls `read` until `ok` holds for what it returned (30 s deadline); returns that. */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, message: string): Promise<T> {
  return (await waitFor(async () => {
    const v = await read();
    return ok(v) ? { v } : null;
  }, { timeoutMs: 30_000, intervalMs: 250, message })).v;
}
