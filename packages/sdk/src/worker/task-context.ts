// What a handler receives besides the task: its abort signal, progress and checkpoint reporting, a
// logger, the job and stage it belongs to, and a producer to create follow-up work.
import type { ZodType } from 'zod';
import type { Logger } from '../logger.js';
import type { ProducerClient } from '../producer/producer-client.js';
import type { JobMapOf, TaskCheckpoint, TaskData, TaskJobContext, TaskResult, TaskStageContext, WorkerTask } from '../types.js';

export interface TaskContext<J extends JobMapOf<J>, T> {
  /**
   * Aborts when the task is cancelled or suspended, runs past its timeout, loses its lease, or the worker
   * shuts down. `signal.reason` is a TaskAbortError whose `kind` says which; the SDK handles the ack.
   * Once the handler has returned (or thrown) it never aborts: a listener that rolls work back cannot undo
   * a completed task.
   */
  signal: AbortSignal;
  /** Reports progress (0–1); sent with the next heartbeat. */
  progress(fraction: number): Promise<void>;
  /**
   * Saves a checkpoint: a retry, a resume after suspend or another worker after a crash gets it back as
   * `task.checkpoint`. Sent at once with a heartbeat; resolves when the manager stored it (or the task ended).
   */
  checkpoint(value: TaskCheckpoint<J, T>): Promise<void>;
  log: Logger;
  job: TaskJobContext<J, T>;
  stage: TaskStageContext<J, T>;
  /** 1-based attempt number. */
  attempt: number;
  /** A producer on the worker's own connection (same pool and breaker). */
  producer: ProducerClient<J>;
}

export type TaskHandler<J extends JobMapOf<J>, T> = (task: WorkerTask<J, T>, ctx: TaskContext<J, T>) => Promise<TaskResult<J, T>> | TaskResult<J, T>;

export interface HandlerOptions<J, T> {
  /** Validates `task.data` before the handler runs; invalid data fails the task for good (code INVALID_TASK_DATA). */
  schema?: ZodType<TaskData<J, T>>;
  /** Overrides the task's own timeoutMs for this stage type. */
  timeoutMs?: number;
}

/** A handler as the worker stores it, with its types erased. */
export interface RegisteredHandler {
  fn: (task: never, ctx: never) => unknown;
  schema?: ZodType;
  timeoutMs?: number;
}
