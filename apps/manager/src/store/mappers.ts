// Row → wire entity. Timestamps leave as RFC 3339 strings; priorities as names; counters as a summary.
import type { Job, Stage, Task, TaskSummary } from '@jobnik/contracts';
import { FINAL_JOB_STATUSES, FINAL_STAGE_STATUSES } from '@jobnik/contracts';
import { progressOf } from '../domain/progress.js';
import { totalOf, type TaskCounts } from '../domain/stage-machine.js';
import { priorityFromInt } from '../domain/priority.js';
import { webhookViews } from '../domain/webhook-view.js';
import type { CounterColumns, JobWithCountsRow, StageViewRow, TaskRow } from './rows.js';

export function iso(v: unknown): string {
  return v instanceof Date ? v.toISOString() : new Date(v as string).toISOString();
}

export function isoOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : iso(v);
}

export function countsFromRow(r: Partial<CounterColumns>): TaskCounts {
  return {
    waiting: Number(r.n_waiting ?? 0),
    pending: Number(r.n_pending ?? 0),
    inProgress: Number(r.n_in_progress ?? 0),
    paused: Number(r.n_paused ?? 0),
    completed: Number(r.n_completed ?? 0),
    failed: Number(r.n_failed ?? 0),
    aborted: Number(r.n_aborted ?? 0),
  };
}

export function summaryOf(c: TaskCounts): TaskSummary {
  return { ...c, total: totalOf(c) };
}

export function toTask(r: TaskRow): Task {
  return {
    id: r.id,
    jobId: r.job_id,
    stageId: r.stage_id,
    tenantId: r.tenant_id,
    stageType: r.stage_type,
    priority: priorityFromInt(Number(r.priority)),
    status: r.status,
    data: r.data as Task['data'],
    userMetadata: r.user_metadata as Task['userMetadata'],
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    backoff: { baseMs: r.backoff_base_ms, maxMs: r.backoff_max_ms, jitter: Number(r.backoff_jitter) },
    timeoutMs: r.timeout_ms,
    runAfter: iso(r.run_after),
    lease:
      r.lease_expires_at && (r.status === 'IN_PROGRESS' || r.status === 'PAUSED')
        ? { workerId: r.lease_worker ?? '', expiresAt: iso(r.lease_expires_at) }
        : null,
    progress: Number(r.progress),
    checkpoint: (r.checkpoint ?? null) as Task['checkpoint'],
    result: (r.result ?? null) as Task['result'],
    error: (r.error ?? null) as Task['error'],
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    startedAt: isoOrNull(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
  };
}

export function toStage(r: StageViewRow): Stage {
  const counts = countsFromRow(r);
  const status = r.status;
  return {
    id: r.id,
    jobId: r.job_id,
    order: r.ord,
    type: r.type,
    status,
    data: r.data as Stage['data'],
    userMetadata: r.user_metadata as Stage['userMetadata'],
    failFast: r.fail_fast,
    held: r.held,
    taskDefaults: (r.task_defaults ?? {}) as Stage['taskDefaults'],
    summary: summaryOf(counts),
    ...progressOf({ status, final: FINAL_STAGE_STATUSES.includes(status), counts, runningProgress: Number(r.running_progress ?? 0), startedAt: r.started_at ? new Date(r.started_at) : null, now: new Date() }),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    startedAt: isoOrNull(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
  };
}

/** A job row joined with the sums of its stages' counters. */
export function toJob(r: JobWithCountsRow): Job {
  const counts = countsFromRow(r);
  const status = r.status;
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    priority: priorityFromInt(Number(r.priority)),
    status,
    data: r.data as Job['data'],
    userMetadata: r.user_metadata as Job['userMetadata'],
    ...progressOf({ status, final: FINAL_JOB_STATUSES.includes(status), counts, runningProgress: Number(r.running_progress ?? 0), startedAt: r.started_at ? new Date(r.started_at) : null, now: new Date() }),
    summary: summaryOf(counts),
    idempotencyKey: r.idempotency_key,
    parallelStages: r.parallel_stages,
    traceparent: r.traceparent,
    tracestate: r.tracestate,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    startedAt: isoOrNull(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
    expiresAt: isoOrNull(r.expires_at),
    timeoutMs: r.timeout_ms ?? null,
    error: (r.error ?? null) as Job['error'],
    webhooks: webhookViews(r.webhooks),
  };
}
