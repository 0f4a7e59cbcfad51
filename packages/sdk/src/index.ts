// @jobnik/sdk: typed producer and worker clients for the Jobnik manager.
export { ProducerClient, type GetJobOptions, type AddStageOptions, type AddTasksOptions, type Page, type RequestOptions } from './producer/producer-client.js';
export type { ListJobsFilter, ListQueuesFilter, ListTasksFilter } from './producer/list-filters.js';
export { WaitTimeoutError, type WaitForJobOptions } from './producer/wait-for-job.js';
export { WorkerClient } from './worker/worker-client.js';
export type { WorkerOptions } from './worker/worker-options.js';
export type { WorkerEvents, TaskEventBase } from './worker/worker-events.js';
export type { TaskContext, TaskHandler, HandlerOptions } from './worker/task-context.js';
export type { FailureInfo } from './worker/ack-buffer.js';
export type { SignalHandlerOptions } from './worker/shutdown.js';
export { NonRetryableError, TaskAbortError, type TaskAbortKind } from './worker/task-abort.js';
export {
  JobnikError,
  NotFoundError,
  ConflictError,
  IllegalTransitionError,
  IdempotencyConflictError,
  LeaseLostError,
  ValidationError,
  UnauthorizedError,
  ForbiddenError,
  RateLimitedError,
  ManagerUnavailableError,
  ServerError,
  type JobnikErrorCode,
} from './errors.js';
export type { ClientOptions, RetryOptions, BreakerOptions, HttpOptions } from './options.js';
export { Transport, type CallOptions } from './transport/transport.js';
export type { BreakerState, RetryMode } from './transport/policies.js';
export { workerMetrics, type WorkerMetrics, type TaskOutcome } from './metrics/worker-metrics.js';
export type { Logger } from './logger.js';
export type * from './types.js';
