// SQL behind GET /stats: job counts by name and status, task counts by stage type (from the stage
// counters), and when the oldest ready task became ready (as GET /queues reads it per queue).
import type { Queryable } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { QUEUE_DEPTH_SQL } from './queues.js';
import { leaseNotSwept } from './sweep-watermark.js';
import { inScope } from './tenant-scope.js';

export function jobCountsByName(db: Queryable, scope: TenantScope): Promise<{ name: string; status: string; n: number }[]> {
  return db.query(`SELECT name, status, count(*)::int AS n FROM jobs WHERE ${inScope('tenant_id', '$1')} GROUP BY name, status ORDER BY name`, [scope]);
}

export function taskCountsByStageType(db: Queryable, scope: TenantScope): Promise<Record<string, number | string>[]> {
  return db.query(
    // The stored counters count running tasks with the pending ones (see COUNTER_COLUMNS): the running ones are
    // counted per queue through the running-tasks index and taken out, in the same snapshot.
    `WITH by_type AS (
       SELECT s.type, sum(n_waiting)::int AS waiting, sum(n_pending_or_running)::int AS pending_or_running, sum(n_paused)::int AS paused,
         sum(n_completed)::int AS completed, sum(n_failed)::int AS failed, sum(n_aborted)::int AS aborted
       FROM stages s JOIN queues q ON q.id = s.queue_id WHERE ${inScope('q.tenant_id', '$1')} GROUP BY s.type
     ),
     running AS (
       SELECT q.name AS type, count(*)::int AS n FROM queues q JOIN tasks t ON t.queue_id = q.id AND t.status = 'IN_PROGRESS' AND ${leaseNotSwept('t')}
       WHERE ${inScope('q.tenant_id', '$1')} GROUP BY q.name
     )
     SELECT b.type, b.waiting AS "WAITING", b.pending_or_running - coalesce(r.n, 0) AS "PENDING", coalesce(r.n, 0) AS "IN_PROGRESS",
       b.paused AS "PAUSED", b.completed AS "COMPLETED", b.failed AS "FAILED", b.aborted AS "ABORTED"
     FROM by_type b LEFT JOIN running r ON r.type = b.type ORDER BY b.type`,
    [scope],
  );
}

/** The oldest ready task of the scope's queues, read as GET /queues reads each queue's (see queueDepthSql). */
export async function oldestReadyAt(db: Queryable, scope: TenantScope): Promise<Date | string | null> {
  const rows = await db.query<{ oldest: Date | string | null }>(
    `SELECT min(d.oldest_ready_at) AS oldest FROM (${QUEUE_DEPTH_SQL} WHERE ${inScope('q.tenant_id', '$1')}) d`,
    [scope],
  );
  return rows[0]?.oldest ?? null;
}
