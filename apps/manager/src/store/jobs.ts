// SQL for the jobs table. Reads join the sums of the job's stage counters (summary and percentage).
import type { Job, JobStatus, ListJobsQuery } from '@jobnik/contracts';
import type { Queryable, Row } from '../db/db.js';
import { ValidationError } from '../domain/errors.js';
import { priorityToInt } from '../domain/priority.js';
import { toJob } from './mappers.js';
import type { z } from 'zod';
import type { ListJobsQuery as ListJobsQuerySchema } from '@jobnik/contracts';

/** null: every tenant (auth off or admin); otherwise only this tenant's rows are visible. */
export type TenantScope = string | null;

const JOB_WITH_COUNTS = `
  SELECT j.*, c.* FROM jobs j
  LEFT JOIN LATERAL (
    SELECT coalesce(sum(n_waiting), 0)::int AS n_waiting, coalesce(sum(n_pending), 0)::int AS n_pending,
      coalesce(sum(n_in_progress), 0)::int AS n_in_progress, coalesce(sum(n_paused), 0)::int AS n_paused,
      coalesce(sum(n_completed), 0)::int AS n_completed, coalesce(sum(n_failed), 0)::int AS n_failed,
      coalesce(sum(n_aborted), 0)::int AS n_aborted
    FROM stages s WHERE s.job_id = j.id
  ) c ON true`;

export interface NewJob {
  tenantId: string;
  name: string;
  priority: number;
  status: JobStatus;
  data: unknown;
  userMetadata: unknown;
  idempotencyKey: string | null;
  requestHash: string | null;
  parallelStages: boolean;
  traceparent: string | null;
  tracestate: string | null;
  expiresAt: string | null;
  webhooks: unknown[];
}

export async function insertJob(tx: Queryable, j: NewJob): Promise<Row> {
  const rows = await tx.query(
    `INSERT INTO jobs (tenant_id, name, priority, status, data, user_metadata, idempotency_key, request_hash,
                       parallel_stages, traceparent, tracestate, expires_at, webhooks)
     VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb, $7, $8, $9, $10, $11, $12, $13::text::jsonb)
     ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
     RETURNING *`,
    [j.tenantId, j.name, j.priority, j.status, JSON.stringify(j.data ?? null), JSON.stringify(j.userMetadata ?? {}),
      j.idempotencyKey, j.requestHash, j.parallelStages, j.traceparent, j.tracestate, j.expiresAt, JSON.stringify(j.webhooks)],
  );
  return rows[0]!;
}

export async function findJobByIdempotencyKey(db: Queryable, tenantId: string, key: string): Promise<Row | null> {
  const rows = await db.query('SELECT id, request_hash FROM jobs WHERE tenant_id = $1 AND idempotency_key = $2', [tenantId, key]);
  return rows[0] ?? null;
}

export async function getJob(db: Queryable, id: string, scope: TenantScope): Promise<Job | null> {
  const rows = await db.query(`${JOB_WITH_COUNTS} WHERE j.id = $1 AND ($2::text IS NULL OR j.tenant_id = $2)`, [id, scope]);
  return rows[0] ? toJob(rows[0]) : null;
}

/** Locks the job row for a transition; returns null when it does not exist in scope. */
export async function lockJob(tx: Queryable, id: string, scope: TenantScope): Promise<Row | null> {
  const rows = await tx.query('SELECT * FROM jobs WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2) FOR UPDATE', [id, scope]);
  return rows[0] ?? null;
}

export async function setJobStatus(tx: Queryable, id: string, status: JobStatus): Promise<void> {
  await tx.query(
    `UPDATE jobs SET status = $2, updated_at = now(),
       started_at = CASE WHEN $2 = 'IN_PROGRESS' THEN coalesce(started_at, now()) ELSE started_at END,
       finished_at = CASE WHEN $2 IN ('COMPLETED', 'FAILED', 'ABORTED') THEN now() ELSE NULL END
     WHERE id = $1`,
    [id, status],
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

export async function deleteJob(tx: Queryable, id: string): Promise<void> {
  await tx.query('DELETE FROM jobs WHERE id = $1', [id]);
}

type ListQuery = z.output<typeof ListJobsQuerySchema>;

const SORTS: Record<ListQuery['sort'], { columns: string[]; desc: boolean }> = {
  createdAt: { columns: ['created_at', 'id'], desc: false },
  '-createdAt': { columns: ['created_at', 'id'], desc: true },
  updatedAt: { columns: ['updated_at', 'id'], desc: false },
  '-updatedAt': { columns: ['updated_at', 'id'], desc: true },
  priority: { columns: ['priority', 'created_at', 'id'], desc: false },
  '-priority': { columns: ['priority', 'created_at', 'id'], desc: true },
};

/** Cursors are opaque: base64url of the sort key values of the last row. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === length) return values;
  } catch {
    // fall through
  }
  throw new ValidationError('cursor is not valid for this listing', [{ path: '/query/cursor', message: 'not a cursor returned by this endpoint with the same sort' }]);
}

export async function listJobs(db: Queryable, q: ListQuery, scope: TenantScope): Promise<{ items: Job[]; nextCursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (scope !== null) add('j.tenant_id = ?', scope);
  if (q.tenantId) add('j.tenant_id = ?', q.tenantId);
  if (q.status) add('j.status = ANY(?::text[])', q.status);
  if (q.name) add('j.name = ?', q.name);
  if (q.priority) add('j.priority = ANY(?::smallint[])', q.priority.map((p) => priorityToInt(p)));
  if (q.createdAfter) add('j.created_at >= ?::timestamptz', q.createdAfter);
  if (q.createdBefore) add('j.created_at < ?::timestamptz', q.createdBefore);
  const sort = SORTS[q.sort];
  const cols = sort.columns.map((c) => `j.${c}`);
  if (q.cursor) {
    const values = decodeCursor(q.cursor, cols.length);
    const placeholders = values.map((v, i) => {
      params.push(v);
      const col = sort.columns[i];
      const cast = col === 'id' ? 'uuid' : col === 'priority' ? 'smallint' : 'timestamptz';
      return `$${params.length}::${cast}`;
    });
    where.push(`(${cols.join(', ')}) ${sort.desc ? '<' : '>'} (${placeholders.join(', ')})`);
  }
  params.push(q.limit + 1);
  const order = cols.map((c) => `${c} ${sort.desc ? 'DESC' : 'ASC'}`).join(', ');
  // The page is picked on the sort keys alone (an index range, or a top-N sort of narrow tuples) and only
  // its rows are read whole and given their stage counts: sorting whole rows (data, metadata) spilled to
  // disk once the table held 100k jobs.
  const sql = `WITH page AS (SELECT j.id FROM jobs j ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT $${params.length})
    ${JOB_WITH_COUNTS} WHERE j.id IN (SELECT id FROM page) ORDER BY ${order}`;
  const rows = await db.query(sql, params);
  const more = rows.length > q.limit;
  const pageRows = more ? rows.slice(0, q.limit) : rows;
  const last = pageRows[pageRows.length - 1];
  const nextCursor = more && last ? encodeCursor(sort.columns.map((c) => (last[c] instanceof Date ? (last[c] as Date).toISOString() : last[c]))) : null;
  return { items: pageRows.map(toJob), nextCursor };
}

export type { ListJobsQuery };
