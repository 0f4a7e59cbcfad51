// Which fire times of a schedule are due now, given its catch-up policy. Pure: tested with fixed clocks.
import type { Cron } from 'croner';

export type CatchUp = 'all' | 'latest' | 'none';

const MAX_SCAN = 100_000;

/**
 * `from` is the schedule's stored next fire time. A time after `liveSince` came while a scheduler was running (busy
 * firing others, not down): it fires whatever the policy. Earlier times were missed while none ran, and follow it —
 * all: every due time, oldest first; latest: only the newest; none: a due time only when it is the single one and
 * on time (within graceMs). At most `limit` in all, oldest first.
 */
export function dueFireTimes(cron: Cron, from: Date, now: Date, policy: CatchUp, limit: number, graceMs: number, liveSince: Date | null = null): Date[] {
  const missed: Date[] = [];
  const live: Date[] = [];
  let lastMissed: Date | null = null;
  let missedCount = 0;
  let count = 0;
  for (let t: Date | null = from; t && t.getTime() <= now.getTime() && count < MAX_SCAN; t = cron.nextRun(t)) {
    count++;
    if (liveSince && t.getTime() > liveSince.getTime()) {
      if (live.length < limit) live.push(t);
      continue;
    }
    missedCount++;
    lastMissed = t;
    if (policy === 'all' && missed.length < limit) missed.push(t);
  }
  const keep = !lastMissed
    ? []
    : policy === 'all'
      ? missed
      : policy === 'latest'
        ? [lastMissed]
        : missedCount === 1 && now.getTime() - lastMissed.getTime() <= graceMs
          ? [lastMissed]
          : [];
  return [...keep, ...live].slice(0, limit);
}
