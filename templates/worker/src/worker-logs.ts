// The log lines an operator follows a worker by: what happened to each task that did not simply complete (failed,
// released, stopped on the manager, lease lost) and calls to the manager that failed, each one line.
import type { Logger } from 'pino';
import { JobnikError, type WorkerClient } from '@jobnik/sdk';
import type { WorkerJobs } from './jobs.js';

export function logWorkerEvents(worker: WorkerClient<WorkerJobs>, logger: Logger): void {
  worker.on('taskFailed', (e) =>
    logger.warn(
      { jobId: e.jobId, taskId: e.taskId, stageType: e.stageType, attempt: e.attempt, willRetry: e.willRetry, runAfter: e.runAfter, code: e.error.code, error: e.error.message, durationMs: e.durationMs },
      'task failed',
    ),
  );
  // Shutdown, suspend: given back with its checkpoint, to run again (elsewhere, or after resume).
  worker.on('taskReleased', (e) => logger.info({ jobId: e.jobId, taskId: e.taskId, stageType: e.stageType, attempt: e.attempt, reason: e.reason }, 'task released'));
  // Its handler was stopped because the task ended on the manager: cancelled, or aborted with its stage when a
  // sibling task failed for good (failFast). Without this line the task simply vanishes from the worker's logs.
  worker.on('taskCancelled', (e) => logger.info({ jobId: e.jobId, taskId: e.taskId, stageType: e.stageType, attempt: e.attempt }, 'task cancelled or aborted on the manager'));
  worker.on('leaseLost', (e) => logger.warn({ jobId: e.jobId, taskId: e.taskId, stageType: e.stageType, attempt: e.attempt }, 'task lease lost: its result was dropped, another worker may run it'));
  worker.on('error', (err) => {
    // A manager call that failed (unreachable, 5xx, a rejected key) repeats for as long as the outage lasts: one
    // line with the code each time, not a stack of the SDK's internals. Anything else is unexpected: keep its stack.
    if (err instanceof JobnikError) logger.warn({ code: err.code, status: err.status, error: err.message, cause: causeOf(err) }, 'call to the manager failed');
    else logger.error({ err }, 'worker error');
  });
}

/** The underlying reason (e.g. "connect ECONNREFUSED 127.0.0.1:8080"), when the SDK's message does not say it. */
function causeOf(err: Error): string | undefined {
  const cause = err.cause as { message?: unknown; code?: unknown } | undefined;
  if (!cause || typeof cause.message !== 'string' || err.message.includes(cause.message)) return undefined;
  return typeof cause.code === 'string' && !cause.message.includes(cause.code) ? `${cause.code}: ${cause.message}` : cause.message;
}
