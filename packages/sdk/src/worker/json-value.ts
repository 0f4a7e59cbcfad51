// Whether a value a handler hands over (its result, a checkpoint) can go to the manager as JSON. Checked where the
// handler hands it over: in a batch (completions, heartbeats) one value JSON.stringify throws on would sink them all.

/** Why `value` cannot be written as JSON (JSON.stringify throws: a BigInt, a cycle), or null when it can. */
export function notJson(value: unknown): string | null {
  if (typeof value === 'bigint') return 'a BigInt';
  if (value === null || typeof value !== 'object') return null;
  try {
    JSON.stringify(value);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
