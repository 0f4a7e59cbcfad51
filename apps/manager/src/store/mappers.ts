// Row → wire entity. Timestamps leave as RFC 3339 strings; priorities as names; counters as a summary.
import type { Job, Stage, Task, TaskSummary } from '@jobnik/contracts';
import { percentageOf, totalOf, type TaskCounts } from '../domain/stage-machine.js';
import { priorityFromInt } from '../domain/priority.js';
import type { Row } from '../db/db.js';

export function iso(v: unknown): string {
  return v instanceof Date ? v.toISOString() : new Date(v as string).toISOString();
}

export function isoOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : iso(v);
}

export function countsFromRow(r: Row): TaskCounts {
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

export function toTask(r: Row): Task {
  return {
    id: r.id as string,
    jobId: r.job_id as string,
    stageId: r.stage_id as string,
    tenantId: r.tenant_id as string,
    stageType: r.stage_type as string,
    priority: priorityFromInt(Number(r.priority)),
    status: r.status as Task['status'],
    data: r.data as Task['data'],
    userMetadata: r.user_metadata as Task['userMetadata'],
    attempts: r.attempts as number,
    maxAttempts: r.max_attempts as number,
    backoff: { baseMs: r.backoff_base_ms as number, maxMs: r.backoff_max_ms as number, jitter: Number(r.backoff_jitter) },
    timeoutMs: (r.timeout_ms as number | null) ?? null,
    runAfter: iso(r.run_after),
    lease:
      r.lease_expires_at && (r.status === 'IN_PROGRESS' || r.status === 'PAUSED')
        ? { workerId: r.lease_worker as string, expiresAt: iso(r.lease_expires_at) }
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

export function toStage(r: Row): Stage {
  const counts = countsFromRow(r);
  const status = r.status as Stage['status'];
  return {
    id: r.id as string,
    jobId: r.job_id as string,
    order: r.ord as number,
    type: r.type as string,
    status,
    data: r.data as Stage['data'],
    userMetadata: r.user_metadata as Stage['userMetadata'],
    failFast: r.fail_fast as boolean,
    taskDefaults: (r.task_defaults ?? {}) as Stage['taskDefaults'],
    summary: summaryOf(counts),
    percentage: percentageOf(status, counts),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    startedAt: isoOrNull(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
  };
}

/** A job row joined with the sums of its stages' counters. */
export function toJob(r: Row): Job {
  const counts = countsFromRow(r);
  const status = r.status as Job['status'];
  const total = totalOf(counts);
  return {
    id: r.id as string,
    tenantId: r.tenant_id as string,
    name: r.name as string,
    priority: priorityFromInt(Number(r.priority)),
    status,
    data: r.data as Job['data'],
    userMetadata: r.user_metadata as Job['userMetadata'],
    percentage: status === 'COMPLETED' ? 100 : total === 0 ? 0 : Math.floor((counts.completed * 100) / total),
    summary: summaryOf(counts),
    idempotencyKey: (r.idempotency_key as string | null) ?? null,
    parallelStages: r.parallel_stages as boolean,
    traceparent: (r.traceparent as string | null) ?? null,
    tracestate: (r.tracestate as string | null) ?? null,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    startedAt: isoOrNull(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
    expiresAt: isoOrNull(r.expires_at),
    // Secrets stay in the database.
    webhooks: ((r.webhooks as { url: string; events?: string[] }[] | undefined) ?? []).map((w) => ({ url: w.url, events: w.events ?? null })),
  };
}
