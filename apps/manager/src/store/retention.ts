// SQL of the retention sweep: finished jobs past their retention, deleted tasks first in bounded batches.
import type { Queryable } from '../db/db.js';

/**
 * Finished jobs whose retention ran out: expiresAt, else finishedAt plus the job type's retentionDays,
 * else plus `defaultDays`. Oldest first.
 */
export async function findExpiredJobs(db: Queryable, defaultDays: number, limit: number): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT j.id FROM jobs j LEFT JOIN job_types jt ON jt.tenant_id = j.tenant_id AND jt.name = j.name
     WHERE j.finished_at IS NOT NULL
       AND coalesce(j.expires_at, j.finished_at + coalesce((jt.defaults->>'retentionDays')::float8, $1) * interval '1 day') < now()
     ORDER BY j.finished_at LIMIT $2`,
    [defaultDays, limit],
  );
  return rows.map((r) => r.id);
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

/** Deletes the jobs (their stages cascade) that are still finished: a job retried meanwhile stays. */
export async function deleteFinishedJobs(db: Queryable, jobIds: string[]): Promise<void> {
  await db.query('DELETE FROM jobs WHERE id = ANY($1::uuid[]) AND finished_at IS NOT NULL', [jobIds]);
}
