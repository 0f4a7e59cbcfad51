// SQL for the tasks table outside the worker hot path: bulk insert, reads, bulk transitions.
import type { Task, TaskStatus } from '@jobnik/contracts';
import type { Queryable } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { toTask } from './mappers.js';
import { CURSOR_CAST, decodeCursor, pageOf, Where, type CursorPart } from './pagination.js';
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

/** Separates the values of one per-task text parameter: JSON.stringify escapes every control character, and a timestamp or an integer has none. */
const SEP = '\x1e';

/** The values joined by SEP ('' for a task without one), or null when no task has one (the column then reads NULL for every row). */
function joinedOrNull(values: (string | null)[]): string | null {
  return values.some((v) => v !== null) ? values.map((v) => v ?? '').join(SEP) : null;
}

/** The parameters of taskRowsSql for these tasks. */
export interface EncodedTasks {
  /** Each task's data as JSON, joined by SEP (null: every task's data is null). */
  data: string | null;
  /** Each task's non-empty metadata as JSON, joined by SEP (null: none has any). */
  metadata: string | null;
  /** Each task's settings group, joined by SEP (null: all in group 0). */
  groups: string | null;
  /** Each task's runAfter, joined by SEP (null: none names one). */
  runAfter: string | null;
  /** The settings groups as one JSON array. */
  settings: string;
  ids: string[];
  /** The ids joined by SEP. */
  idList: string;
}

/**
 * Tasks as the parameters of taskRowsSql: per task only what varies (data, metadata, runAfter, the index of its
 * settings group), each as one text of the tasks' values joined by SEP, and the groups — the stage (`stage`: its
 * id, or its order when the stage is inserted by the same statement) and the ten columns tasks of one request
 * usually share. Repeating the shared columns on every row made PostgreSQL parse ~2x the JSON (≈40 → ≈25 µs of CPU
 * per row); one JSON array of the rows cost PostgreSQL ~6 µs per task to parse into jsonb (a big jsonb array is
 * ~8× dearer to build than as many small documents) and as much again to take apart (jsonb_to_recordset), against
 * ~1 µs for splitting one text and parsing each task's data on its own.
 */
export function encodeTasks<T extends NewTaskFields>(tasks: T[], stage: (t: T) => string | number): EncodedTasks {
  const groupOf = new Map<string, number>();
  const settings: unknown[] = [];
  const data: (string | null)[] = [];
  const metadata: (string | null)[] = [];
  const groups: (string | null)[] = [];
  const runAfter: (string | null)[] = [];
  for (const t of tasks) {
    const s = stage(t);
    const key = `${s}|${t.queueId}|${t.priority}|${t.status}|${t.maxAttempts}|${t.backoffBaseMs}|${t.backoffMaxMs}|${t.backoffJitter}|${t.timeoutMs}`;
    let g = groupOf.get(key);
    if (g === undefined) {
      g = settings.length;
      groupOf.set(key, g);
      settings.push({ i: g, s, q: t.queueId, p: t.priority, st: t.status, a: t.maxAttempts, bb: t.backoffBaseMs, bm: t.backoffMaxMs, bj: t.backoffJitter, to: t.timeoutMs });
    }
    // Absent values read as NULL: data null, metadata {}, runAfter now(), group 0.
    groups.push(g === 0 ? null : String(g));
    data.push(t.data === null || t.data === undefined ? null : JSON.stringify(t.data));
    metadata.push(t.userMetadata === null || t.userMetadata === undefined || isEmptyObject(t.userMetadata) ? null : JSON.stringify(t.userMetadata));
    runAfter.push(t.runAfter || null);
  }
  const ids = uuidV7s(tasks.length);
  return {
    data: joinedOrNull(data),
    metadata: joinedOrNull(metadata),
    groups: joinedOrNull(groups),
    runAfter: joinedOrNull(runAfter),
    settings: JSON.stringify(settings),
    ids,
    idList: ids.join(SEP),
  };
}

/** The placeholders of taskRowsSql's parameters, in EncodedTasks' terms. */
export interface TaskRowsParams {
  data: string;
  metadata: string;
  groups: string;
  runAfter: string;
  settings: string;
  ids: string;
}

/** EncodedTasks' values in TaskRowsParams' order (data, metadata, groups, runAfter, settings, idList). */
export function taskRowsValues(e: EncodedTasks): (string | null)[] {
  return [e.data, e.metadata, e.groups, e.runAfter, e.settings, e.idList];
}

/**
 * The rows of encodeTasks' parameters, in the given order (x.n), each with its id (x.id) and joined to its settings
 * group g; g.s is the stage, of type `stageType`. The select list of an INSERT INTO tasks (TASK_INSERT_COLUMNS) from
 * these rows. ROWS FROM zips the texts' pieces in order and reads NULL where a text is null (or has no piece there).
 */
export function taskRowsSql(p: TaskRowsParams, stageType: 'uuid' | 'int'): string {
  const pieces = (param: string) => `string_to_table(${param}::text, E'\\x1e')`;
  return `ROWS FROM (${pieces(p.ids)}, ${pieces(p.data)}, ${pieces(p.metadata)}, ${pieces(p.groups)}, ${pieces(p.runAfter)}) WITH ORDINALITY AS x(id, d, m, g, r, n)
     JOIN jsonb_to_recordset(${p.settings}::text::jsonb) AS g(i int, s ${stageType}, q int, p smallint, st text, a int, bb int, bm int, bj double precision, "to" int)
       ON g.i = coalesce(nullif(x.g, '')::int, 0)`;
}

export const TASK_INSERT_COLUMNS = `id, job_id, stage_id, queue_id, priority, status, data, user_metadata, max_attempts,
                        backoff_base_ms, backoff_max_ms, backoff_jitter, timeout_ms, run_after`;

/** The values of TASK_INSERT_COLUMNS after id, job_id and stage_id, from taskRowsSql's x and g. */
export const TASK_INSERT_VALUES = `g.q, g.p, g.st, coalesce(nullif(x.d, '')::jsonb, 'null'::jsonb), coalesce(nullif(x.m, '')::jsonb, '{}'::jsonb),
                        g.a, g.bb, g.bm, g.bj, g.to, coalesce(nullif(x.r, '')::timestamptz, now())`;

export async function insertTasks<T extends NewTaskFields>(tx: Queryable, jobId: string, tasks: T[], stageId: (t: T) => string, returnIds: true): Promise<string[]>;
export async function insertTasks<T extends NewTaskFields>(tx: Queryable, jobId: string, tasks: T[], stageId: (t: T) => string, returnIds: false): Promise<void>;
/** One multi-row INSERT for any number of tasks of existing stages; with returnIds, ids come back in the given order (false: nothing — a stage's creation answers with the stage, not 5,000 task ids). */
export async function insertTasks<T extends NewTaskFields>(tx: Queryable, jobId: string, tasks: T[], stageId: (t: T) => string, returnIds: boolean): Promise<string[] | void> {
  if (tasks.length === 0) return returnIds ? [] : undefined;
  const encoded = encodeTasks(tasks, stageId);
  await tx.query(
    `INSERT INTO tasks (${TASK_INSERT_COLUMNS})
     SELECT x.id::uuid, $1, g.s, ${TASK_INSERT_VALUES}
     FROM ${taskRowsSql({ data: '$2', metadata: '$3', groups: '$4', runAfter: '$5', settings: '$6', ids: '$7' }, 'uuid')}
     ORDER BY x.n`,
    [jobId, ...taskRowsValues(encoded)],
  );
  if (returnIds) return encoded.ids;
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
  const part: CursorPart = key === 'seq' ? 'bigint' : 'uuid';
  if (f.cursor) where.add(`t.${key} > ?::${CURSOR_CAST[part]}`, decodeCursor(f.cursor, [part])[0]);
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
