// SQL for the tasks table outside the worker hot path: bulk insert, reads, bulk transitions.
import type { Task, TaskStatus } from '@jobnik/contracts';
import type { Queryable } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { toTask } from './mappers.js';
import { decodeCursor, pageOf, Where } from './pagination.js';
import type { Audit } from '../domain/audit.js';
import { attemptsCte } from './history.js';
import { rollupCte, type StageCountersRow } from './rollup.js';
import type { TaskRow } from './rows.js';
import { inScope } from './tenant-scope.js';
import { uuidV7s } from './uuid-v7.js';

/** A task row to insert, apart from the stage it belongs to. */
export interface NewTaskFields {
  queueId: number;
  priority: number;
  status: TaskStatus;
  data: unknown;
  userMetadata: unknown;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  backoffJitter: number;
  timeoutMs: number | null;
  runAfter: string | null;
}

export interface NewTask extends NewTaskFields {
  stageId: string;
}

function isEmptyObject(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  for (const _ in v) return false;
  return true;
}

/**
 * Tasks as the two JSON parameters of taskRowsSql: one row per task carrying only what varies per task (data,
 * metadata, runAfter) and the index of its settings group, and the groups — the stage (`stage`: its id, or its
 * order when the stage is inserted by the same statement) and the ten columns tasks of one request usually share.
 * Repeating the shared columns on every row made PostgreSQL parse ~2x the JSON (≈40 → ≈25 µs of CPU per row).
 */
export function encodeTasks<T extends NewTaskFields>(tasks: T[], stage: (t: T) => string | number): { rows: string; settings: string; ids: string[] } {
  const groups = new Map<string, number>();
  const settings: unknown[] = [];
  const rows = tasks.map((t) => {
    const s = stage(t);
    const key = `${s}|${t.queueId}|${t.priority}|${t.status}|${t.maxAttempts}|${t.backoffBaseMs}|${t.backoffMaxMs}|${t.backoffJitter}|${t.timeoutMs}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = settings.length;
      groups.set(key, g);
      settings.push({ i: g, s, q: t.queueId, p: t.priority, st: t.status, a: t.maxAttempts, bb: t.backoffBaseMs, bm: t.backoffMaxMs, bj: t.backoffJitter, to: t.timeoutMs });
    }
    // Absent keys read as NULL: data null, metadata {}, runAfter now(), group 0.
    const row: { g?: number; d?: unknown; m?: unknown; r?: string } = {};
    if (g !== 0) row.g = g;
    if (t.data !== null && t.data !== undefined) row.d = t.data;
    if (t.userMetadata !== null && t.userMetadata !== undefined && !isEmptyObject(t.userMetadata)) row.m = t.userMetadata;
    if (t.runAfter) row.r = t.runAfter;
    return row;
  });
  return { rows: JSON.stringify(rows), settings: JSON.stringify(settings), ids: uuidV7s(tasks.length) };
}

/**
 * The rows of encodeTasks' parameters, in the given order (x.n), each with its id (x.id, zipped from the ids array)
 * and joined to its settings group g; g.s is the stage, of type `stageType`. The select list of an INSERT INTO
 * tasks (TASK_INSERT_COLUMNS) from these rows.
 */
export function taskRowsSql(rowsParam: string, settingsParam: string, idsParam: string, stageType: 'uuid' | 'int'): string {
  return `ROWS FROM (jsonb_to_recordset(${rowsParam}::text::jsonb) AS (g int, d jsonb, m jsonb, r timestamptz), unnest(${idsParam}::uuid[])) WITH ORDINALITY AS x(g, d, m, r, id, n)
     JOIN jsonb_to_recordset(${settingsParam}::text::jsonb) AS g(i int, s ${stageType}, q int, p smallint, st text, a int, bb int, bm int, bj double precision, "to" int)
       ON g.i = coalesce(x.g, 0)`;
}

export const TASK_INSERT_COLUMNS = `id, job_id, stage_id, queue_id, priority, status, data, user_metadata, max_attempts,
                        backoff_base_ms, backoff_max_ms, backoff_jitter, timeout_ms, run_after`;

/** The values of TASK_INSERT_COLUMNS after id, job_id and stage_id, from taskRowsSql's x and g. */
export const TASK_INSERT_VALUES = `g.q, g.p, g.st, coalesce(x.d, 'null'::jsonb), coalesce(x.m, '{}'::jsonb), g.a, g.bb, g.bm, g.bj, g.to, coalesce(x.r, now())`;

export async function insertTasks<T extends NewTaskFields>(tx: Queryable, jobId: string, tasks: T[], stageId: (t: T) => string, returnIds: true): Promise<string[]>;
export async function insertTasks<T extends NewTaskFields>(tx: Queryable, jobId: string, tasks: T[], stageId: (t: T) => string, returnIds: false): Promise<void>;
/** One multi-row INSERT for any number of tasks of existing stages; with returnIds, ids come back in the given order (false: nothing — a stage's creation answers with the stage, not 5,000 task ids). */
export async function insertTasks<T extends NewTaskFields>(tx: Queryable, jobId: string, tasks: T[], stageId: (t: T) => string, returnIds: boolean): Promise<string[] | void> {
  if (tasks.length === 0) return returnIds ? [] : undefined;
  const { rows, settings, ids } = encodeTasks(tasks, stageId);
  await tx.query(
    `INSERT INTO tasks (${TASK_INSERT_COLUMNS})
     SELECT x.id, $1, g.s, ${TASK_INSERT_VALUES}
     FROM ${taskRowsSql('$2', '$3', '$4', 'uuid')}
     ORDER BY x.n`,
    [jobId, rows, settings, ids],
  );
  if (returnIds) return ids;
}

const TASK_SELECT = `SELECT t.*, q.tenant_id, q.name AS stage_type FROM tasks t JOIN queues q ON q.id = t.queue_id`;

export async function getTask(db: Queryable, id: string, scope: TenantScope): Promise<Task | null> {
  const rows = await db.query<TaskRow>(`${TASK_SELECT} WHERE t.id = $1 AND ${inScope('q.tenant_id', '$2')}`, [id, scope]);
  return rows[0] ? toTask(rows[0]) : null;
}

export interface TaskFilter {
  jobId?: string;
  stageId?: string;
  stageType?: string;
  status?: TaskStatus[];
  tenantId?: string;
  limit: number;
  cursor?: string;
}

export async function listTasks(db: Queryable, f: TaskFilter, scope: TenantScope): Promise<{ items: Task[]; nextCursor: string | null }> {
  const where = new Where();
  if (scope !== null) where.add('q.tenant_id = ?', scope);
  if (f.tenantId) where.add('q.tenant_id = ?', f.tenantId);
  if (f.stageId) where.add('t.stage_id = ?::uuid', f.stageId);
  if (f.jobId) where.add('t.stage_id IN (SELECT id FROM stages WHERE job_id = ?::uuid)', f.jobId);
  if (f.stageType) where.add('q.name = ?', f.stageType);
  if (f.status) where.add('t.status = ANY(?::text[])', f.status);
  // Within a stage, creation order (seq, indexed with stage_id); across stages, the time-ordered id.
  const key = f.stageId ? 'seq' : 'id';
  if (f.cursor) where.add(`t.${key} > ?::${key === 'seq' ? 'bigint' : 'uuid'}`, decodeCursor(f.cursor, 1)[0]);
  const limit = where.bind(f.limit + 1);
  const rows = await db.query<TaskRow>(`${TASK_SELECT} ${where} ORDER BY t.${key} LIMIT ${limit}`, where.params);
  return pageOf(rows, f.limit, (last) => [String(last[key])], toTask);
}

export interface TransitionResult {
  count: number;
  stages: StageCountersRow[];
  /** Stage types of the tasks that moved (to wake their waiters). */
  stageTypes: string[];
}

export type TaskSelector = { stageIds: string[] } | { taskIds: string[] };

/**
 * What else a bulk transition does besides changing the status. abort: the task is finished now.
 * pause: a running task gives its attempt back (it did not fail). retry: a reopened task starts over
 * (fresh attempts, runs now, no result). resume and open: nothing more.
 */
export type TaskEffect = 'abort' | 'pause' | 'retry' | 'resume' | 'open';

const EFFECT_SET: Record<TaskEffect, string> = {
  abort: ', finished_at = now()',
  pause: `, attempts = CASE WHEN target.old_status = 'IN_PROGRESS' THEN GREATEST(t.attempts - 1, 0) ELSE t.attempts END`,
  retry: ', attempts = 0, run_after = now(), finished_at = NULL, result = NULL, progress = 0',
  resume: '',
  open: '',
};

/** How a running task's attempt ends when a bulk transition takes it out of IN_PROGRESS. */
const ATTEMPT_OUTCOME: Partial<Record<TaskEffect, string>> = { abort: 'ABORTED', pause: 'SUSPENDED' };

/**
 * Moves every task matched by the selector whose status is in `from` to `to`, in one statement,
 * with the roll-up and the effect's other changes. Running tasks it moves end their attempt, recorded
 * in the history (with `audit`'s actor) by the same statement.
 */
export async function transitionTasks(
  tx: Queryable,
  selector: TaskSelector,
  from: readonly TaskStatus[],
  to: TaskStatus,
  effect: TaskEffect,
  audit: Audit,
): Promise<TransitionResult> {
  const [column, ids] = 'stageIds' in selector ? ['stage_id', selector.stageIds] : ['id', selector.taskIds];
  if (ids.length === 0 || from.length === 0) return { count: 0, stages: [], stageTypes: [] };
  const rows = await tx.query<{ n: number; stages: StageCountersRow[] | null; stage_types: string[] | null }>(
    `WITH target AS (
       SELECT id, status AS old_status, attempts AS old_attempts FROM tasks WHERE ${column} = ANY($1::uuid[]) AND status = ANY($2::text[]) FOR UPDATE
     ),
     changed AS (
       UPDATE tasks t SET status = $3, updated_at = now()${EFFECT_SET[effect]}
       FROM target WHERE t.id = target.id
       RETURNING t.stage_id, t.queue_id, target.old_status, t.status AS new_status,
         t.id, t.job_id, target.old_attempts AS attempts, t.lease_worker, t.started_at, t.status
     ),
     changes AS (SELECT stage_id, old_status, new_status FROM changed),
     ended AS (SELECT * FROM changed WHERE old_status = 'IN_PROGRESS'),
     ${attemptsCte('ended', '$5', '$4', `$6::boolean AND ${ATTEMPT_OUTCOME[effect] ? 'true' : 'false'}`, 'NULL::jsonb')},
     ${rollupCte()}
     SELECT (SELECT count(*) FROM changed)::int AS n,
            (SELECT json_agg(r) FROM rollup r) AS stages,
            (SELECT array_agg(qu.name) FROM queues qu WHERE qu.id IN (SELECT queue_id FROM changed)) AS stage_types`,
    [ids, from, to, audit.actor, ATTEMPT_OUTCOME[effect] ?? 'ABORTED', audit.record],
  );
  const r = rows[0]!;
  return { count: r.n, stages: r.stages ?? [], stageTypes: r.stage_types ?? [] };
}
