// SQL of the retention sweep: finished jobs past their retention, deleted tasks first in bounded batches.
import type { Queryable } from '../db/db.js';
import { settledEventsOfDeletedJobsCte } from './webhooks.js';

/** When a finished job's retention runs out: expiresAt, else finishedAt plus its job type's retentionDays, else plus $1 days. */
const EXPIRY = `coalesce(j.expires_at, j.finished_at + coalesce((jt.defaults->>'retentionDays')::float8, $1) * interval '1 day')`;
const FINISHED_JOBS = 'jobs j LEFT JOIN job_types jt ON jt.tenant_id = j.tenant_id AND jt.name = j.name';

/**
 * Finished jobs whose retention ran out: expiresAt, else finishedAt plus the job type's retentionDays,
 * else plus `defaultDays`. Oldest first.
 */
export async function findExpiredJobs(db: Queryable, defaultDays: number, limit: number): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT j.id FROM ${FINISHED_JOBS} WHERE j.finished_at IS NOT NULL AND ${EXPIRY} < now() ORDER BY j.finished_at LIMIT $2`,
    [defaultDays, limit],
  );
  return rows.map((r) => r.id);
}

/** How many finished jobs are past their retention, and how long (seconds, on the database clock) the most overdue one is. */
export async function countExpiredJobs(db: Queryable, defaultDays: number): Promise<{ jobs: number; overdueSeconds: number }> {
  const rows = await db.query<{ jobs: number; overdue: number }>(
    `SELECT count(*)::int AS jobs, coalesce(extract(epoch FROM now() - min(x.expiry)), 0)::float8 AS overdue
     FROM (SELECT ${EXPIRY} AS expiry FROM ${FINISHED_JOBS} WHERE j.finished_at IS NOT NULL) x WHERE x.expiry < now()`,
    [defaultDays],
  );
  return { jobs: rows[0]!.jobs, overdueSeconds: rows[0]!.overdue };
}

/** Deletes up to `batch` tasks of these jobs; returns how many it deleted. */
export async function deleteTasksOfJobs(db: Queryable, jobIds: string[], batch: number): Promise<number> {
  const gone = await db.query(
    `DELETE FROM tasks WHERE id IN (
       SELECT t.id FROM tasks t WHERE t.stage_id IN (SELECT id FROM stages WHERE job_id = ANY($1::uuid[])) LIMIT $2)
     RETURNING 1`,
    [jobIds, batch],
  );
  return gone.length;
}

/**
 * Deletes the jobs (their stages cascade) that are still finished: a job retried meanwhile stays. Their settled webhook
 * events go with them; undelivered ones outlive them. Returns how many jobs went.
 */
export async function deleteFinishedJobs(db: Queryable, jobIds: string[]): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `WITH gone AS (DELETE FROM jobs WHERE id = ANY($1::uuid[]) AND finished_at IS NOT NULL RETURNING id),
       ${settledEventsOfDeletedJobsCte('events', 'gone')}
     SELECT count(*)::int AS n FROM gone`,
    [jobIds],
  );
  return rows[0]!.n;
}
