// Which failures of a batched call (acks, heartbeats) come from what one of its items carries: those are worth
// sending item by item, so that one bad item does not sink the others.
import { JobnikError } from '../errors.js';

/** The manager's answers that blame the body: one bad item would draw them for the whole batch. */
const BODY_REFUSED = new Set([400, 413, 415, 422]);

/**
 * A batch refused for what it carries — the manager's answer blames the body, or an item's value cannot be sent (a
 * TypeError while the body is written) — rather than for who sends it or when (the manager away or failing, a rate
 * limit, a key refused), which every item would meet alone too.
 */
export function isRefusal(err: unknown): boolean {
  return err instanceof JobnikError ? err.status !== undefined && BODY_REFUSED.has(err.status) : true;
}
