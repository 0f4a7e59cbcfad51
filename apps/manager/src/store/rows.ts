// The rows the store reads, typed once: services get these (or wire entities from mappers.ts), never
// untyped records. Timestamps come back as Date from pg and PGlite alike; strings are accepted for safety.
import type { JobStatus, StageStatus, TaskSettings, TaskStatus } from '@jobnik/contracts';

export type Timestamp = Date | string;

export interface JobRow {
  id: string;
  tenant_id: string;
  name: string;
  priority: number;
  status: JobStatus;
  data: unknown;
  user_metadata: unknown;
  idempotency_key: string | null;
  request_hash: string | null;
  parallel_stages: boolean;
  traceparent: string | null;
  tracestate: string | null;
  webhooks: unknown;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  expires_at: Timestamp | null;
  timeout_ms?: number | null;
  deadline_at?: Timestamp | null;
  error?: unknown;
}

export interface StageRow {
  id: string;
  job_id: string;
  ord: number;
  type: string;
  queue_id: number;
  status: StageStatus;
  data: unknown;
  user_metadata: unknown;
  fail_fast: boolean;
  task_defaults: TaskSettings | null;
  n_waiting: number;
  /** PENDING and IN_PROGRESS tasks (a lease does not touch its stage; reads split them: stageCountsSql). */
  n_pending_or_running: number;
  n_paused: number;
  n_completed: number;
  n_failed: number;
  n_aborted: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  /** Held in WAITING until released (a /v1 stage created with startAsWaiting). */
  held: boolean;
}

/** What the job-level rules need to know of a job's stages: their order, type and status. */
export interface StageState {
  id: string;
  ord: number;
  type: string;
  status: StageStatus;
  /** Held in WAITING until released (a /v1 stage created with startAsWaiting). */
  held: boolean;
}

export interface TaskRow {
  id: string;
  seq: string | number;
  job_id: string;
  stage_id: string;
  queue_id: number;
  tenant_id: string;
  stage_type: string;
  priority: number;
  status: TaskStatus;
  data: unknown;
  user_metadata: unknown;
  attempts: number;
  max_attempts: number;
  backoff_base_ms: number;
  backoff_max_ms: number;
  backoff_jitter: number;
  timeout_ms: number | null;
  run_after: Timestamp;
  lease_worker: string | null;
  lease_token: string | null;
  lease_expires_at: Timestamp | null;
  progress: number;
  checkpoint: unknown;
  result: unknown;
  error: unknown;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

/** A stage's task counts by status, as reads return them (stageCountsSql) and summed over a job's stages. */
export interface CounterColumns {
  n_waiting: number;
  n_pending: number;
  n_in_progress: number;
  n_paused: number;
  n_completed: number;
  n_failed: number;
  n_aborted: number;
}

/** A stage as reads return it: the stored row with its counts split (stageCountsSql). */
export type StageViewRow = StageRow & CounterColumns & { running_progress: number };

/** A job row with the sums of its stages' counters (summary and percentage). */
export type JobWithCountsRow = JobRow & CounterColumns & { running_progress?: number };
