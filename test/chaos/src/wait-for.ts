// Waits on a condition with a deadline instead of sleeping: polls `predicate` until it returns something truthy.
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50, message, onTimeout }: { timeoutMs?: number; intervalMs?: number; message?: string; onTimeout?: () => string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await predicate();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`waitFor: ${message ?? 'condition'} not met within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}${onTimeout ? `: ${onTimeout()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
