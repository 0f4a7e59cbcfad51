// The sweep watermark (migration 0018): every lease that expired before it has been taken back by the lost-task
// collector, so a running task's lease expires at or after it, and counts of running tasks read tasks_running from it.
import type { Queryable } from '../db/db.js';

/**
 * `alias` (a row of tasks known to be IN_PROGRESS) still holds a lease the collector has not passed: with the queue
 * (or the queue and the stage), a range of tasks_running that starts at the watermark — its length is the leases taken
 * in about the last lease length, not every lease since the xmin horizon was last free. A lease the collector skipped
 * because another transaction had it locked (an ack settling it, another replica's pass) is taken back, or settled,
 * by that transaction or by the next full pass (within a minute).
 */
export const leaseNotSwept = (alias: string) => `${alias}.lease_expires_at >= (SELECT sw.at FROM sweep_watermark sw)`;

/** After a pass of the collector: leases that expired before `at` are swept. The watermark only moves forward. */
export async function advanceSweepWatermark(db: Queryable, at: Date): Promise<void> {
  await db.query('UPDATE sweep_watermark SET at = GREATEST(at, $1::timestamptz)', [at]);
}
