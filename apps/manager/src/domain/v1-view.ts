// How our jobs, stages and tasks look through the /v1 (MapColonies-compatible) API: their statuses, their
// attempt counting, their summary. Pure functions; the README's /v1 section has the same table.
import type { Job, JobStatus, Stage, StageStatus, Task, TaskStatus, V1Job, V1JobStatus, V1Stage, V1StageStatus, V1Summary, V1Task, V1TaskStatus } from '@jobnik/contracts';

/** What a stage's view needs beyond our Stage: whether it is held, how many of its tasks wait for a retry, its trace. */
export interface V1StageExtras {
  held: boolean;
  retried: number;
  traceparent: string;
  tracestate: string | null;
}

export interface V1Trace {
  traceparent: string;
  tracestate: string | null;
}

/** CREATED (ours: no stages yet) is their initial PENDING. */
export function v1JobStatus(s: JobStatus): V1JobStatus {
  return s === 'CREATED' ? 'PENDING' : s;
}

/**
 * A held stage is WAITING (theirs: until released by hand); one that waits for the stages before it is CREATED, as
 * theirs is until its turn; a suspended one shows where it was (they have no PAUSED stage).
 */
export function v1StageStatus(s: StageStatus, held: boolean, started: boolean): V1StageStatus {
  if (s === 'WAITING' || s === 'CREATED') return held ? 'WAITING' : 'CREATED';
  if (s === 'PAUSED') return started ? 'IN_PROGRESS' : 'PENDING';
  return s;
}

/**
 * Their task statuses: a task not yet open is CREATED; a ready task that has run before is RETRIED; a suspended
 * one is ready as far as they can tell; an aborted one will not complete, which they call FAILED.
 */
export function v1TaskStatus(s: TaskStatus, attempts: number): V1TaskStatus {
  switch (s) {
    case 'WAITING':
      return 'CREATED';
    case 'PENDING':
    case 'PAUSED':
      return attempts > 0 ? 'RETRIED' : 'PENDING';
    case 'ABORTED':
      return 'FAILED';
    default:
      return s;
  }
}

/**
 * Their `attempts` counts failed runs (the one that failed the task for good too); ours counts runs. A task that is
 * running, or completed, is on a run that did not fail, so theirs is ours minus one.
 */
export function v1Attempts(s: TaskStatus, attempts: number): number {
  return s === 'IN_PROGRESS' || s === 'COMPLETED' ? Math.max(0, attempts - 1) : attempts;
}

/**
 * Their maxAttempts counts runs, as ours does (their manager since 0.2: a FAILED report that brings `attempts` to
 * `maxAttempts` fails the task for good), so it is stored as it is.
 */
export function storedMaxAttempts(v1MaxAttempts: number): number {
  return v1MaxAttempts;
}

export function v1MaxAttempts(stored: number): number {
  return stored;
}

/** The end of an inclusive `end_date` filter as an exclusive bound (1 ms later), or null without one or past year 9999 (no bound). */
export function exclusiveEnd(endDate: string | undefined): string | null {
  if (endDate === undefined) return null;
  const after = Date.parse(endDate) + 1;
  return after > LAST_INSTANT ? null : new Date(after).toISOString();
}
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

export function v1Summary(s: Stage['summary'], retried: number): V1Summary {
  const ready = s.pending + s.paused;
  return {
    pending: ready - retried,
    inProgress: s.inProgress,
    completed: s.completed,
    failed: s.failed + s.aborted,
    created: s.waiting,
    retried,
    total: s.total,
  };
}

export function toV1Task(t: Task, trace: V1Trace): V1Task {
  return {
    id: t.id,
    data: t.data,
    stageId: t.stageId,
    userMetadata: t.userMetadata,
    creationTime: t.createdAt,
    updateTime: t.updatedAt,
    ...(t.startedAt ? { startTime: t.startedAt } : {}),
    ...(t.finishedAt ? { endTime: t.finishedAt } : {}),
    status: v1TaskStatus(t.status, t.attempts),
    attempts: v1Attempts(t.status, t.attempts),
    maxAttempts: v1MaxAttempts(t.maxAttempts),
    traceparent: trace.traceparent,
    ...(trace.tracestate ? { tracestate: trace.tracestate } : {}),
  };
}

export function toV1Stage(s: Stage, x: V1StageExtras, tasks?: V1Task[]): V1Stage {
  return {
    id: s.id,
    type: s.type,
    status: v1StageStatus(s.status, x.held, s.startedAt !== null),
    percentage: s.percentage,
    jobId: s.jobId,
    order: s.order + 1,
    data: s.data,
    userMetadata: s.userMetadata,
    summary: v1Summary(s.summary, x.retried),
    traceparent: x.traceparent,
    ...(x.tracestate ? { tracestate: x.tracestate } : {}),
    ...(tasks ? { tasks } : {}),
  };
}

/** Their job percentage: the share of its stages that completed, rounded down (0 without stages). */
export function v1JobPercentage(stages: { completed: number; total: number }): number {
  return stages.total === 0 ? 0 : Math.floor((stages.completed / stages.total) * 100);
}

export function toV1Job(j: Job, stages: { completed: number; total: number }, views?: V1Stage[]): V1Job {
  return {
    id: j.id,
    name: j.name,
    status: v1JobStatus(j.status),
    percentage: v1JobPercentage(stages),
    priority: j.priority,
    creationTime: j.createdAt,
    updateTime: j.updatedAt,
    data: j.data,
    userMetadata: j.userMetadata,
    traceparent: j.traceparent ?? NO_TRACE,
    ...(j.tracestate ? { tracestate: j.tracestate } : {}),
    ...(views ? { stages: views } : {}),
  };
}

/** A job created without trace context (through our API, tracing off): a valid, unsampled, all-zero-span context. */
export const NO_TRACE = '00-00000000000000000000000000000000-0000000000000000-00';

/** Their message for a refused transition. */
export function illegalTransitionMessage(from: string, to: string): string {
  return `Illegal status transition from ${from} to ${to}`;
}
