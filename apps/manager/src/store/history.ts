// SQL of the history: job and stage transitions (job_history) and ended task attempts (task_attempts), both
// numbered by history_seq. Writers append to them inside the statements that make the changes (the CTE
// fragments below); readers page a job's history, list a task's attempts, and follow the global order
// (the event streams); retention deletes a job's rows in bounded batches.
import type { HistoryEntry, TaskAttempt } from '@jobnik/contracts';
import type { Queryable } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { iso, isoOrNull } from './mappers.js';
import { decodeCursor, pageOf } from './pagination.js';
import { inScope } from './tenant-scope.js';

/**
 * `name AS (INSERT INTO task_attempts …)` over `source`, a CTE of tasks whose attempt just ended, with columns
 * id, queue_id, job_id, stage_id, attempts, lease_worker, started_at, status (the status after) and error.
 * `outcome`, `actor`, `record` and `error` are SQL expressions (record: the boolean parameter of history.enabled).
 * One INSERT … SELECT per statement, whatever the batch size.
 */
export function attemptsCte(source: string, outcome: string, actor: string, record: string, error = 'a.error', name = 'attempt_history'): string {
  return `${name} AS (
     INSERT INTO task_attempts (queue_id, job_id, stage_id, task_id, attempt, worker, lease_started_at, outcome, task_status, error, actor)
     SELECT a.queue_id, a.job_id, a.stage_id, a.id, a.attempts, a.lease_worker, a.started_at, ${outcome}, a.status, ${error}, ${actor}
     FROM ${source} a WHERE ${record}
     RETURNING 1
   )`;
}

/**
 * `name AS (INSERT INTO job_history …)` over `source`, a CTE with columns tenant_id, job_id, stage_id,
 * from_status, to_status (rows whose status did not change are skipped).
 */
export function transitionsCte(source: string, actor: string, reason: string, record: string, name = 'transition_history'): string {
  return `${name} AS (
     INSERT INTO job_history (tenant_id, job_id, stage_id, from_status, to_status, actor, reason)
     SELECT h.tenant_id, h.job_id, h.stage_id, h.from_status, h.to_status, ${actor}, ${reason}
     FROM ${source} h WHERE ${record} AND h.from_status IS DISTINCT FROM h.to_status
     RETURNING 1
   )`;
}

/** A job's creation (from_status NULL), written by the statement that inserts it. */
export function createdCte(source: string, actor: string, record: string): string {
  return `job_created_history AS (
     INSERT INTO job_history (tenant_id, job_id, stage_id, from_status, to_status, actor)
     SELECT c.tenant_id, c.id, NULL, NULL, c.status, ${actor} FROM ${source} c WHERE ${record}
     RETURNING 1
   )`;
}

interface HistoryRow {
  seq: string | number;
  kind: 'job' | 'stage' | 'attempt';
  job_id: string;
  stage_id: string | null;
  task_id: string | null;
  from_status: string | null;
  to_status: string;
  actor: string;
  reason: unknown;
  at: Date | string;
  attempt: number | null;
  worker: string | null;
  lease_started_at: Date | string | null;
  outcome: string | null;
  error: unknown;
  tenant_id?: string;
}

/** Both tables as one relation of history rows (the attempts' tenant through their queue). */
const UNION = (jobFilter: string, attemptFilter: string) => `
  SELECT h.seq, CASE WHEN h.stage_id IS NULL THEN 'job' ELSE 'stage' END AS kind, h.job_id, h.stage_id, NULL::uuid AS task_id,
    h.from_status, h.to_status, h.actor, h.reason, h.at, NULL::int AS attempt, NULL::text AS worker,
    NULL::timestamptz AS lease_started_at, NULL::text AS outcome, NULL::jsonb AS error, h.tenant_id
  FROM job_history h WHERE ${jobFilter}
  UNION ALL
  SELECT a.seq, 'attempt', a.job_id, a.stage_id, a.task_id, 'IN_PROGRESS', a.task_status, a.actor, NULL, a.lease_ended_at,
    a.attempt, a.worker, a.lease_started_at, a.outcome, a.error, (SELECT q.tenant_id FROM queues q WHERE q.id = a.queue_id)
  FROM task_attempts a WHERE ${attemptFilter}`;

function toEntry(r: HistoryRow): HistoryEntry {
  const at = iso(r.at);
  return {
    seq: Number(r.seq),
    kind: r.kind,
    at,
    jobId: r.job_id,
    stageId: r.stage_id,
    taskId: r.task_id,
    from: r.from_status as HistoryEntry['from'],
    to: r.to_status as HistoryEntry['to'],
    actor: r.actor,
    reason: (r.reason ?? null) as HistoryEntry['reason'],
    attempt: r.kind === 'attempt' ? toAttempt(r, at) : null,
  };
}

function toAttempt(r: Pick<HistoryRow, 'attempt' | 'worker' | 'lease_started_at' | 'outcome' | 'error'>, endedAt: string): TaskAttempt {
  const started = isoOrNull(r.lease_started_at);
  return {
    number: r.attempt ?? 0,
    workerId: r.worker,
    leaseStartedAt: started,
    leaseEndedAt: endedAt,
    outcome: r.outcome as TaskAttempt['outcome'],
    error: (r.error ?? null) as TaskAttempt['error'],
    durationMs: started ? Math.max(0, Date.parse(endedAt) - Date.parse(started)) : null,
  };
}

/** One page of a job's history, oldest first (keyset on seq). */
export async function historyOfJob(db: Queryable, jobId: string, limit: number, cursor: string | undefined): Promise<{ items: HistoryEntry[]; nextCursor: string | null }> {
  const after = cursor ? String(decodeCursor(cursor, ['bigint'])[0]) : '0';
  const rows = await db.query<HistoryRow>(
    `SELECT * FROM (${UNION('h.job_id = $1 AND h.seq > $2::bigint', 'a.job_id = $1 AND a.seq > $2::bigint')}) u ORDER BY seq LIMIT $3`,
    [jobId, after, limit + 1],
  );
  return pageOf(rows, limit, (last) => [String(last.seq)], toEntry);
}

/** A task's ended attempts, oldest first (read through its job's index entries). */
export async function attemptsOfTask(db: Queryable, jobId: string, taskId: string): Promise<(TaskAttempt & { taskStatus: string; actor: string })[]> {
  const rows = await db.query<HistoryRow & { task_status: string; lease_ended_at: Date | string }>(
    `SELECT attempt, worker, lease_started_at, lease_ended_at, outcome, task_status, error, actor FROM task_attempts
     WHERE job_id = $1 AND task_id = $2 ORDER BY seq`,
    [jobId, taskId],
  );
  return rows.map((r) => ({ ...toAttempt(r, iso(r.lease_ended_at)), taskStatus: r.task_status, actor: r.actor }));
}

/**
 * History rows after `afterSeq` in seq order, limited to a tenant (null = all) and optionally a job; the
 * event streams read the global order with it. Rows of transactions still running appear later with
 * smaller seqs than rows already read: the caller only hands out a prefix it knows to be complete.
 */
export async function historySince(db: Queryable, afterSeq: number, limit: number, scope: TenantScope, jobId: string | null): Promise<HistoryEntry[]> {
  const jobCond = jobId ? ' AND h.job_id = $4' : '';
  const attCond = jobId ? ' AND a.job_id = $4' : '';
  const params: unknown[] = [String(afterSeq), limit, scope];
  if (jobId) params.push(jobId);
  const rows = await db.query<HistoryRow>(
    `SELECT * FROM (${UNION(`h.seq > $1::bigint${jobCond}`, `a.seq > $1::bigint${attCond}`)}) u
     WHERE ${inScope('u.tenant_id', '$3')} ORDER BY seq LIMIT $2`,
    params,
  );
  return rows.map((r) => ({ ...toEntry(r), tenantId: r.tenant_id } as HistoryEntry & { tenantId?: string }));
}

/** The seqs after `afterSeq` (every tenant), in order: what the stream checks for gaps. */
export async function seqsSince(db: Queryable, afterSeq: number, limit: number): Promise<number[]> {
  const rows = await db.query<{ seq: string | number }>(
    `SELECT seq FROM (SELECT seq FROM job_history WHERE seq > $1::bigint UNION ALL SELECT seq FROM task_attempts WHERE seq > $1::bigint) u
     ORDER BY seq LIMIT $2`,
    [String(afterSeq), limit],
  );
  return rows.map((r) => Number(r.seq));
}

/** The highest seq handed out so far (0 before the first). */
export async function lastSeq(db: Queryable): Promise<number> {
  const rows = await db.query<{ v: string | number | null }>(
    'SELECT greatest((SELECT max(seq) FROM job_history), (SELECT max(seq) FROM task_attempts)) AS v',
  );
  return Number(rows[0]?.v ?? 0);
}

/** Deletes up to `batch` rows of each history table of these jobs, once they are deleted; returns how many. */
export async function deleteHistoryOfJobs(db: Queryable, jobIds: string[], batch: number): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `WITH gone AS (SELECT x AS id FROM unnest($1::uuid[]) AS x WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = x)),
     a AS (
       DELETE FROM task_attempts WHERE ctid = ANY(ARRAY(SELECT ctid FROM task_attempts WHERE job_id IN (SELECT id FROM gone) LIMIT $2)) RETURNING 1
     ),
     h AS (
       DELETE FROM job_history WHERE seq IN (SELECT seq FROM job_history WHERE job_id IN (SELECT id FROM gone) LIMIT $2) RETURNING 1
     )
     SELECT ((SELECT count(*) FROM a) + (SELECT count(*) FROM h))::int AS n`,
    [jobIds, batch],
  );
  return rows[0]!.n;
}

/** The current snapshot (text): the transactions in flight now, to learn later when they have all ended. */
export async function currentSnapshot(db: Queryable): Promise<string> {
  const rows = await db.query<{ s: string }>('SELECT pg_current_snapshot()::text AS s');
  return rows[0]!.s;
}

/** Whether every transaction in flight when `snapshot` was taken has ended (committed or rolled back). */
export async function snapshotSettled(db: Queryable, snapshot: string): Promise<boolean> {
  const rows = await db.query<{ done: boolean }>(
    `SELECT coalesce((SELECT bool_and(pg_xact_status(x) <> 'in progress') FROM pg_snapshot_xip($1::text::pg_snapshot) x), true) AS done`,
    [snapshot],
  );
  return rows[0]!.done;
}

/** Whether a database error names a history table or its sequence (the metrics count these). */
export function isHistoryWriteError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { table?: unknown; message?: unknown };
  const text = `${typeof e.table === 'string' ? e.table : ''} ${typeof e.message === 'string' ? e.message : ''}`;
  return /\b(job_history|task_attempts|history_seq)\b/.test(text);
}
