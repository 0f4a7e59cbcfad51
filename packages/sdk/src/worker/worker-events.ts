// The events a WorkerClient emits, with their payloads.
import type { FailureInfo } from './ack-buffer.js';
import type { BreakerState } from '../transport/policies.js';

export interface TaskEventBase {
  taskId: string;
  jobId: string;
  stageId: string;
  stageType: string;
  attempt: number;
}

export interface WorkerEvents {
  taskStarted: [TaskEventBase];
  taskCompleted: [TaskEventBase & { result: unknown; durationMs: number }];
  /** `willRetry`: the manager scheduled another attempt (at `runAfter`). */
  taskFailed: [TaskEventBase & { error: FailureInfo; willRetry: boolean; runAfter?: string; durationMs: number }];
  /** Given back unfinished (suspended, or the worker is stopping) with its last checkpoint. */
  taskReleased: [TaskEventBase & { reason: 'suspended' | 'shutdown' | 'unhandled' }];
  /** The task was cancelled (or otherwise stopped running on the manager) while this worker held it. */
  taskCancelled: [TaskEventBase];
  /** The lease was no longer ours; the result (if any) was dropped and another worker may run the task. */
  leaseLost: [TaskEventBase];
  breakerOpen: [];
  breakerHalfOpen: [];
  breakerClosed: [];
  breakerStateChange: [BreakerState];
  /** Failures of the worker's own calls (dequeue, heartbeat, acks). Without a listener they are logged. */
  error: [Error];
}
