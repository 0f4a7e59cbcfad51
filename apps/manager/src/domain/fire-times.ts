// Which fire times of a schedule are due now, given its catch-up policy. Pure: tested with fixed clocks.
import type { Cron } from 'croner';

export type CatchUp = 'all' | 'latest' | 'none';

const MAX_SCAN = 100_000;

/**
 * `from` is the schedule's stored next fire time. all: every due time, oldest first, at most `limit`.
 * latest: only the newest due time. none: a due time only when it is the single one and on time
 * (within graceMs); after an outage, missed times are skipped.
 */
export function dueFireTimes(cron: Cron, from: Date, now: Date, policy: CatchUp, limit: number, graceMs: number): Date[] {
  const due: Date[] = [];
  let last: Date | null = null;
  let count = 0;
  for (let t: Date | null = from; t && t.getTime() <= now.getTime() && count < MAX_SCAN; t = cron.nextRun(t)) {
    count++;
    last = t;
    if (policy === 'all' && due.length < limit) due.push(t);
  }
  if (!last) return [];
  if (policy === 'all') return due;
  if (policy === 'latest') return [last];
  return count === 1 && now.getTime() - last.getTime() <= graceMs ? [last] : [];
}
