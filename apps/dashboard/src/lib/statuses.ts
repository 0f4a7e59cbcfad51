// Status, priority and sort lists come from the contracts' dependency-free entry (no zod in the bundle);
// this module adds the colour family a status is drawn in.
import type { JobStatus, StageStatus, TaskStatus } from '../api/api-types.js';

export { JOB_SORTS, JOB_STATUSES, PRIORITIES, STAGE_STATUSES, TASK_STATUSES } from '@jobnik/contracts/states';

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
