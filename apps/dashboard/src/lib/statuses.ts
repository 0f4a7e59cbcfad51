// Status and priority lists at run time (the contracts' arrays would pull zod into the bundle), checked
// against the contract types at compile time, plus the colour family a status is drawn in.
import type { JobSort, JobStatus, Priority, StageStatus, TaskStatus } from '../api/api-types.js';

/** Fails to compile when `List` misses a member of `Union`. */
type Exhaustive<Union, List extends readonly Union[]> = [Exclude<Union, List[number]>] extends [never] ? List : never;

const jobStatuses = ['CREATED', 'PENDING', 'IN_PROGRESS', 'PAUSED', 'COMPLETED', 'FAILED', 'ABORTED'] as const;
export const JOB_STATUSES: Exhaustive<JobStatus, typeof jobStatuses> = jobStatuses;

const stageStatuses = ['CREATED', 'WAITING', 'PENDING', 'IN_PROGRESS', 'PAUSED', 'COMPLETED', 'FAILED', 'ABORTED'] as const;
export const STAGE_STATUSES: Exhaustive<StageStatus, typeof stageStatuses> = stageStatuses;

const taskStatuses = ['WAITING', 'PENDING', 'IN_PROGRESS', 'PAUSED', 'COMPLETED', 'FAILED', 'ABORTED'] as const;
export const TASK_STATUSES: Exhaustive<TaskStatus, typeof taskStatuses> = taskStatuses;

const priorities = ['VERY_HIGH', 'HIGH', 'MEDIUM', 'LOW', 'VERY_LOW'] as const;
export const PRIORITIES: Exhaustive<Priority, typeof priorities> = priorities;

const jobSorts = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'priority', '-priority'] as const;
export const JOB_SORTS: Exhaustive<JobSort, typeof jobSorts> = jobSorts;

export type AnyStatus = JobStatus | StageStatus | TaskStatus;
export type StatusTone = 'neutral' | 'active' | 'warning' | 'success' | 'danger' | 'muted';

const TONES: Record<AnyStatus, StatusTone> = {
  CREATED: 'neutral',
  WAITING: 'neutral',
  PENDING: 'neutral',
  IN_PROGRESS: 'active',
  PAUSED: 'warning',
  COMPLETED: 'success',
  FAILED: 'danger',
  ABORTED: 'muted',
};

export function toneOf(status: AnyStatus): StatusTone {
  return TONES[status];
}

/** "IN_PROGRESS" → "In progress", "VERY_HIGH" → "Very high". */
export function humanize(value: string): string {
  const words = value.toLowerCase().split('_').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
