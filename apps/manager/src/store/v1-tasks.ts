// SQL the /v1 API needs for tasks: lists with their filters (creation time included) carrying the job's trace
// context, the current lease of a task (their workers ack by task id alone), user metadata.
import type { Task, TaskStatus } from '@jobnik/contracts';
import type { Queryable } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { toTask } from './mappers.js';
import { Where } from './pagination.js';
import type { TaskRow } from './rows.js';
import { taskInScope } from './tenant-scope.js';

export interface V1TaskFilter {
  ids?: string[];
  stageId?: string;
  stageType?: string;
  statuses?: TaskStatus[];
  createdFrom?: string;
  /** Exclusive: created before this instant (a timestamp has microseconds; the API shows milliseconds). */
  createdBefore?: string;
}

export interface TaskWithTrace {
  task: Task;
  traceparent: string | null;
  tracestate: string | null;
}

/** Tasks in scope matching the filter, oldest first, each with its job's trace context. */
export async function listTasksWithTrace(db: Queryable, f: V1TaskFilter, scope: TenantScope): Promise<TaskWithTrace[]> {
  const where = new Where();
  if (scope !== null) where.add('q.tenant_id = ?', scope);
  if (f.ids) where.add('t.id = ANY(?::uuid[])', f.ids);
  if (f.stageId) where.add('t.stage_id = ?::uuid', f.stageId);
  if (f.stageType) where.add('q.name = ?', f.stageType);
  if (f.statuses) where.add('t.status = ANY(?::text[])', f.statuses);
  if (f.createdFrom) where.add('t.created_at >= ?::timestamptz', f.createdFrom);
  if (f.createdBefore) where.add('t.created_at < ?::timestamptz', f.createdBefore);
  const rows = await db.query<TaskRow & { job_traceparent: string | null; job_tracestate: string | null }>(
    `SELECT t.*, q.tenant_id, q.name AS stage_type, j.traceparent AS job_traceparent, j.tracestate AS job_tracestate
     FROM tasks t JOIN queues q ON q.id = t.queue_id JOIN jobs j ON j.id = t.job_id
     ${where} ORDER BY ${f.stageId ? 't.seq' : 't.id'}`,
    where.params,
  );
  return rows.map((r) => ({ task: toTask(r), traceparent: r.job_traceparent, tracestate: r.job_tracestate }));
}

export interface TaskLease {
  id: string;
  job_id: string;
  status: TaskStatus;
  lease_token: string | null;
  /** Set while a run holds the task (a task suspended while it ran keeps its lease until released). */
  leased: boolean;
}

/** A task's status and current lease token (null: not in scope). The ack that follows is fenced by that token. */
export async function taskLease(db: Queryable, id: string, scope: TenantScope): Promise<TaskLease | null> {
  const rows = await db.query<TaskLease>(
    `SELECT t.id, t.job_id, t.status, t.lease_token, t.lease_expires_at IS NOT NULL AS leased FROM tasks t
     WHERE t.id = $1 AND ${taskInScope('$2')}`,
    [id, scope],
  );
  return rows[0] ?? null;
}

/** Replaces a task's user metadata; false when the task is not in scope. */
export async function setTaskUserMetadata(db: Queryable, id: string, userMetadata: unknown, scope: TenantScope): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    `UPDATE tasks t SET user_metadata = $2::text::jsonb, updated_at = now() WHERE t.id = $1 AND ${taskInScope('$3')} RETURNING t.id`,
    [id, JSON.stringify(userMetadata), scope],
  );
  return rows.length > 0;
}
