// Statuses, priorities and lifecycle rules as plain data: no zod, so a browser bundle or a script can import
// them (`@jobnik/contracts/states`) without the schemas. The manager's state machines are built from these
// tables, so the dashboard's buttons and the demo's "is it over?" ask the same rules the manager enforces.

/** Dequeue order: VERY_HIGH first. Stored as 0..4 so the hot index compares integers. */
export const PRIORITIES = ['VERY_HIGH', 'HIGH', 'MEDIUM', 'LOW', 'VERY_LOW'] as const;
export type PriorityName = (typeof PRIORITIES)[number];

export const JOB_STATUSES = ['CREATED', 'PENDING', 'IN_PROGRESS', 'PAUSED', 'COMPLETED', 'FAILED', 'ABORTED'] as const;
export const STAGE_STATUSES = ['CREATED', 'WAITING', 'PENDING', 'IN_PROGRESS', 'PAUSED', 'COMPLETED', 'FAILED', 'ABORTED'] as const;
export const TASK_STATUSES = ['WAITING', 'PENDING', 'IN_PROGRESS', 'PAUSED', 'COMPLETED', 'FAILED', 'ABORTED'] as const;
export type JobStatusName = (typeof JOB_STATUSES)[number];
export type StageStatusName = (typeof STAGE_STATUSES)[number];
export type TaskStatusName = (typeof TASK_STATUSES)[number];

/** The statuses nothing leaves on its own (an explicit retry may reopen FAILED and ABORTED). */
export const FINAL_STATUSES = ['COMPLETED', 'FAILED', 'ABORTED'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];
export const FINAL_JOB_STATUSES: readonly JobStatusName[] = FINAL_STATUSES;
export const FINAL_STAGE_STATUSES: readonly StageStatusName[] = FINAL_STATUSES;
export const FINAL_TASK_STATUSES: readonly TaskStatusName[] = FINAL_STATUSES;

export function isFinalStatus(status: string): status is FinalStatus {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

/** Every status change the manager allows, per entity (from → to). */
export const JOB_TRANSITIONS: Readonly<Record<JobStatusName, readonly JobStatusName[]>> = {
  CREATED: ['PENDING', 'PAUSED', 'ABORTED'],
  PENDING: ['IN_PROGRESS', 'PAUSED', 'COMPLETED', 'FAILED', 'ABORTED'],
  IN_PROGRESS: ['COMPLETED', 'FAILED', 'PAUSED', 'ABORTED'],
  PAUSED: ['PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'ABORTED'],
  COMPLETED: [],
  FAILED: ['PENDING'],
  ABORTED: ['PENDING'],
};

export const STAGE_TRANSITIONS: Readonly<Record<StageStatusName, readonly StageStatusName[]>> = {
  CREATED: ['WAITING', 'PENDING', 'PAUSED', 'ABORTED'],
  WAITING: ['PENDING', 'PAUSED', 'ABORTED'],
  PENDING: ['IN_PROGRESS', 'PAUSED', 'COMPLETED', 'FAILED', 'ABORTED'],
  IN_PROGRESS: ['COMPLETED', 'FAILED', 'PAUSED', 'ABORTED'],
  PAUSED: ['WAITING', 'PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'ABORTED'],
  COMPLETED: [],
  FAILED: ['PENDING', 'WAITING'],
  ABORTED: ['PENDING', 'WAITING'],
};

export const TASK_TRANSITIONS: Readonly<Record<TaskStatusName, readonly TaskStatusName[]>> = {
  WAITING: ['PENDING', 'PAUSED', 'ABORTED'],
  PENDING: ['IN_PROGRESS', 'PAUSED', 'ABORTED', 'WAITING'],
  IN_PROGRESS: ['COMPLETED', 'FAILED', 'PENDING', 'PAUSED', 'ABORTED'],
  PAUSED: ['PENDING', 'ABORTED'],
  COMPLETED: [],
  FAILED: ['PENDING', 'WAITING'],
  ABORTED: ['PENDING', 'WAITING'],
};

/** The orders GET /jobs can list in; a leading '-' is descending. */
export const JOB_SORTS = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'priority', '-priority'] as const;

export type JobAction = 'cancel' | 'suspend' | 'resume' | 'retry';
export type StageAction = 'cancel' | 'suspend' | 'resume';

/** The statuses each lifecycle call (POST /jobs/{id}/<action>) accepts; any other answers 409 ILLEGAL_TRANSITION. */
export const JOB_ACTION_SOURCES: Readonly<Record<JobAction, readonly JobStatusName[]>> = {
  cancel: ['CREATED', 'PENDING', 'IN_PROGRESS', 'PAUSED'],
  suspend: ['CREATED', 'PENDING', 'IN_PROGRESS'],
  resume: ['PAUSED'],
  retry: ['FAILED', 'ABORTED'],
};

/** The statuses each stage lifecycle call (POST /stages/{id}/<action>) accepts. */
export const STAGE_ACTION_SOURCES: Readonly<Record<StageAction, readonly StageStatusName[]>> = {
  cancel: ['CREATED', 'WAITING', 'PENDING', 'IN_PROGRESS', 'PAUSED'],
  suspend: ['CREATED', 'WAITING', 'PENDING', 'IN_PROGRESS'],
  resume: ['PAUSED'],
};

export function jobActionAllowed(action: JobAction, status: JobStatusName): boolean {
  return JOB_ACTION_SOURCES[action].includes(status);
}

export function stageActionAllowed(action: StageAction, status: StageStatusName): boolean {
  return STAGE_ACTION_SOURCES[action].includes(status);
}
