// The hash an idempotency key is stored with: a request's content, whatever the order of its objects' keys, so a
// retry of the same request is recognised and a different one under the same key is refused.
import { createHash } from 'node:crypto';

/** Keys in the order the hash's canonical form sorts them (locale order: what every stored hash was made with). */
const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => a.localeCompare(b);

/** Whether the keys are already in that order (a stable sort would leave them as they are). */
function inOrder(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]!.localeCompare(keys[i]!) > 0) return false;
  return true;
}

/**
 * SHA-256 of the value as JSON with every object's keys sorted. An object whose keys are already in order (every
 * object with one key, such as most tasks' `{ data }`) is serialized as it is instead of rebuilt: the same text, without
 * a sorted copy of each of a big request's objects.
 */
export function hashRequest(value: unknown): string {
  const canonical = JSON.stringify(value, (_k, v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    if (keys.length < 2 || inOrder(keys)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(byKey));
  });
  return createHash('sha256').update(canonical).digest('hex');
}
