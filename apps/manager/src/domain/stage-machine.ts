// Stage states and the roll-up rule that derives a stage's outcome from its task counts.
import { FINAL_STAGE_STATUSES, STAGE_TRANSITIONS, type StageStatus } from '@jobnik/contracts';
import { StateMachine } from './state-machine.js';

export const stageMachine = new StateMachine<StageStatus>('stage', STAGE_TRANSITIONS, FINAL_STAGE_STATUSES);

export interface TaskCounts {
  waiting: number;
  pending: number;
  inProgress: number;
  paused: number;
  completed: number;
  failed: number;
  aborted: number;
}

export function totalOf(c: TaskCounts): number {
  return c.waiting + c.pending + c.inProgress + c.paused + c.completed + c.failed + c.aborted;
}

/**
 * The final status a stage has reached given its task counts, or null while it is still open.
 * failFast: the first task that fails for good fails the stage. Otherwise the stage ends when
 * every task is final: FAILED if any failed, ABORTED if every task was aborted, else COMPLETED.
 */
export function settledStatus(status: StageStatus, failFast: boolean, c: TaskCounts): StageStatus | null {
  if (stageMachine.isFinal(status)) return null;
  const total = totalOf(c);
  if (total === 0) return null;
  if (failFast && c.failed > 0) return 'FAILED';
  if (c.waiting + c.pending + c.inProgress + c.paused > 0) return null;
  if (c.failed > 0) return 'FAILED';
  if (c.aborted === total) return 'ABORTED';
  return 'COMPLETED';
}

/** Whether a stage's tasks may run: the job runs its stages in parallel, or every earlier stage completed. */
export function stageIsOpen(parallel: boolean, earlier: readonly StageStatus[]): boolean {
  return parallel || earlier.every((s) => s === 'COMPLETED');
}

export type NewTaskStatus = 'WAITING' | 'PAUSED' | 'PENDING';

/** The status new tasks of a stage start in: WAITING until the stage opens, PAUSED while the job is suspended, else PENDING. */
export function newTaskStatus(open: boolean, jobPaused: boolean): NewTaskStatus {
  return !open ? 'WAITING' : jobPaused ? 'PAUSED' : 'PENDING';
}
