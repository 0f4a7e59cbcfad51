// SQL for the jobs table. Reads join the sums of the job's stage counters (summary and percentage).
import type { Job, JobStatus, ListJobsQuery } from '@jobnik/contracts';
import type { z } from 'zod';
import { statement, type Queryable } from '../db/db.js';
import type { Audit } from '../domain/audit.js';
import type { TenantScope } from '../domain/caller.js';
import { transitionsCte } from './history.js';
import { priorityToInt } from '../domain/priority.js';
import { toJob } from './mappers.js';
import { CURSOR_CAST, decodeCursor, pageOf, Where, type CursorPart } from './pagination.js';
import { stageCountsSql } from './rollup.js';
import { settledEventsOfDeletedJobsCte } from './webhooks.js';
import type { JobRow, JobWithCountsRow } from './rows.js';
import { inScope } from './tenant-scope.js';

const COUNTS = stageCountsSql('s', 'run');
const JOB_WITH_COUNTS = `
  SELECT j.*, c.* FROM jobs j
  LEFT JOIN LATERAL (
    SELECT coalesce(sum(n_waiting), 0)::int AS n_waiting, coalesce(sum(n_pending), 0)::int AS n_pending,
      coalesce(sum(n_in_progress), 0)::int AS n_in_progress, coalesce(sum(n_paused), 0)::int AS n_paused,
      coalesce(sum(n_completed), 0)::int AS n_completed, coalesce(sum(n_failed), 0)::int AS n_failed,
      coalesce(sum(n_aborted), 0)::int AS n_aborted, coalesce(sum(running_progress), 0)::float8 AS running_progress
    FROM (SELECT ${COUNTS.columns} FROM stages s ${COUNTS.join} WHERE s.job_id = j.id) sc
  ) c ON true`;

export async function findJobByIdempotencyKey(db: Queryable, tenantId: string, key: string): Promise<Pick<JobRow, 'id' | 'request_hash'> | null> {
  const rows = await db.query<Pick<JobRow, 'id' | 'request_hash'>>('SELECT id, request_hash FROM jobs WHERE tenant_id = $1 AND idempotency_key = $2', [tenantId, key]);
  return rows[0] ?? null;
}

const GET_JOB = statement('jobnik_get_job', `${JOB_WITH_COUNTS} WHERE j.id = $1 AND ${inScope('j.tenant_id', '$2')}`);

export async function getJob(db: Queryable, id: string, scope: TenantScope): Promise<Job | null> {
  const rows = await db.query<JobWithCountsRow>(GET_JOB, [id, scope]);
  return rows[0] ? toJob(rows[0]) : null;
}

const LOCK_JOB = statement('jobnik_lock_job', `SELECT * FROM jobs WHERE id = $1 AND ${inScope('tenant_id', '$2')} FOR UPDATE`);

/** Locks the job row for a transition; returns null when it does not exist in scope. */
export async function lockJob(tx: Queryable, id: string, scope: TenantScope): Promise<JobRow | null> {
  const rows = await tx.query<JobRow>(LOCK_JOB, [id, scope]);
  return rows[0] ?? null;
}

const SET_JOB_STATUS = statement(
  'jobnik_set_job_status',
  `WITH old AS (SELECT id, status FROM jobs WHERE id = $1),
     changed AS (
       UPDATE jobs j SET status = $2, updated_at = now(),
         started_at = CASE WHEN $2 = 'IN_PROGRESS' THEN coalesce(started_at, now()) ELSE started_at END,
         finished_at = CASE WHEN $2 IN ('COMPLETED', 'FAILED', 'ABORTED') THEN now() ELSE NULL END,
         error = CASE WHEN $2 IN ('COMPLETED', 'FAILED', 'ABORTED') THEN $5::text::jsonb ELSE NULL END,
         -- A finished job that is reopened (retry) gets its timeout afresh.
         deadline_at = CASE WHEN old.status IN ('COMPLETED', 'FAILED', 'ABORTED') AND $2 NOT IN ('COMPLETED', 'FAILED', 'ABORTED')
                            THEN now() + j.timeout_ms * interval '1 millisecond' ELSE j.deadline_at END
       FROM old WHERE j.id = old.id
       RETURNING j.tenant_id, j.id AS job_id, NULL::uuid AS stage_id, old.status AS from_status, j.status AS to_status
     ),
     ${transitionsCte('changed', '$3', '$5::text::jsonb', '$4::boolean')}
     SELECT 1`,
);

/** Sets the job's status and records the transition (by `audit`'s actor, with an optional reason) in the same statement. */
export async function setJobStatus(tx: Queryable, id: string, status: JobStatus, audit: Audit, reason: unknown = null): Promise<void> {
  await tx.query(
    SET_JOB_STATUS,
    [id, status, audit.actor, audit.record, reason === null ? null : JSON.stringify(reason)],
  );
}

export async function updateJobFields(
  tx: Queryable,
  id: string,
  change: { userMetadata?: unknown; priority?: number; expiresAt?: string | null },
): Promise<void> {
  await tx.query(
    `UPDATE jobs SET updated_at = now(),
       user_metadata = coalesce($2::text::jsonb, user_metadata),
       priority = coalesce($3, priority),
       expires_at = CASE WHEN $4 THEN $5::timestamptz ELSE expires_at END
     WHERE id = $1`,
    [id, change.userMetadata === undefined ? null : JSON.stringify(change.userMetadata), change.priority ?? null,
      change.expiresAt !== undefined, change.expiresAt ?? null],
  );
  if (change.priority !== undefined) {
    // Reorder the job's tasks that are not running yet (the ready index includes priority).
    await tx.query(
      `UPDATE tasks SET priority = $2, updated_at = now()
       WHERE stage_id IN (SELECT id FROM stages WHERE job_id = $1) AND status IN ('WAITING', 'PENDING', 'PAUSED')`,
      [id, change.priority],
    );
  }
}

/** Deletes the job (its stages and tasks cascade) and its settled webhook events; undelivered ones outlive it. */
export async function deleteJob(tx: Queryable, id: string): Promise<void> {
  await tx.query(`WITH gone AS (DELETE FROM jobs WHERE id = $1 RETURNING id), ${settledEventsOfDeletedJobsCte('events', 'gone')} SELECT 1`, [id]);
}

type ListQuery = z.output<typeof ListJobsQuery>;

const CURSOR_PARTS: Record<string, CursorPart> = { id: 'uuid', priority: 'smallint', created_at: 'timestamp', updated_at: 'timestamp' };

const SORTS: Record<ListQuery['sort'], { columns: string[]; desc: boolean }> = {
  createdAt: { columns: ['created_at', 'id'], desc: false },
  '-createdAt': { columns: ['created_at', 'id'], desc: true },
  updatedAt: { columns: ['updated_at', 'id'], desc: false },
  '-updatedAt': { columns: ['updated_at', 'id'], desc: true },
  priority: { columns: ['priority', 'created_at', 'id'], desc: false },
  '-priority': { columns: ['priority', 'created_at', 'id'], desc: true },
};

export async function listJobs(db: Queryable, q: ListQuery, scope: TenantScope): Promise<{ items: Job[]; nextCursor: string | null }> {
  const where = new Where();
  if (scope !== null) where.add('j.tenant_id = ?', scope);
  if (q.tenantId) where.add('j.tenant_id = ?', q.tenantId);
  if (q.status) where.add('j.status = ANY(?::text[])', q.status);
  if (q.name) where.add('j.name = ?', q.name);
  if (q.priority) where.add('j.priority = ANY(?::smallint[])', q.priority.map((p) => priorityToInt(p)));
  if (q.createdAfter) where.add('j.created_at >= ?::timestamptz', q.createdAfter);
  if (q.createdBefore) where.add('j.created_at < ?::timestamptz', q.createdBefore);
  const sort = SORTS[q.sort];
  const cols = sort.columns.map((c) => `j.${c}`);
  if (q.cursor) {
    const parts = sort.columns.map((c) => CURSOR_PARTS[c]!);
    const placeholders = decodeCursor(q.cursor, parts).map((v, i) => `${where.bind(v)}::${CURSOR_CAST[parts[i]!]}`);
    where.raw(`(${cols.join(', ')}) ${sort.desc ? '<' : '>'} (${placeholders.join(', ')})`);
  }
  const limit = where.bind(q.limit + 1);
  const order = cols.map((c) => `${c} ${sort.desc ? 'DESC' : 'ASC'}`).join(', ');
  // The page is picked on the sort keys alone (an index range, or a top-N sort of narrow tuples) and only
  // its rows are read whole and given their stage counts: sorting whole rows (data, metadata) spilled to
  // disk once the table held 100k jobs.
  const sql = `WITH page AS (SELECT j.id FROM jobs j ${where} ORDER BY ${order} LIMIT ${limit})
    ${JOB_WITH_COUNTS} WHERE j.id IN (SELECT id FROM page) ORDER BY ${order}`;
  const rows = await db.query<JobWithCountsRow>(sql, where.params);
  const keyOf = (last: JobWithCountsRow) => sort.columns.map((c) => {
    const v = last[c as keyof JobWithCountsRow];
    return v instanceof Date ? v.toISOString() : v;
  });
  return pageOf(rows, q.limit, keyOf, toJob);
}

/**
 * Unfinished jobs past their timeoutMs, oldest deadline first, locked (SKIP LOCKED: replicas share the work,
 * and a job another transaction is changing is picked up next round).
 */
export async function lockTimedOutJobs(tx: Queryable, limit: number): Promise<{ id: string; timeout_ms: number }[]> {
  return tx.query<{ id: string; timeout_ms: number }>(
    `SELECT id, timeout_ms FROM jobs
     WHERE deadline_at < now() AND finished_at IS NULL AND status NOT IN ('COMPLETED', 'FAILED', 'ABORTED')
     ORDER BY deadline_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
}
