// Enumerations shared by every wire shape: priorities, statuses, worker directives.
import { z } from 'zod';
import { JOB_STATUSES, PRIORITIES, STAGE_STATUSES, TASK_STATUSES } from './states.js';

export * from './states.js';

export const Priority = z.enum(PRIORITIES).meta({ id: 'Priority', description: 'Dequeue order, VERY_HIGH first.' });
export type Priority = z.infer<typeof Priority>;

export const JobStatus = z.enum(JOB_STATUSES).meta({
  id: 'JobStatus',
  description: 'CREATED: no stages yet. PENDING: waiting for a worker. IN_PROGRESS: a task has been handed out. PAUSED: suspended. COMPLETED, FAILED, ABORTED are final.',
});
export type JobStatus = z.infer<typeof JobStatus>;

export const StageStatus = z.enum(STAGE_STATUSES).meta({
  id: 'StageStatus',
  description: 'CREATED: no tasks yet. WAITING: an earlier stage is not complete. PENDING → IN_PROGRESS → COMPLETED | FAILED | ABORTED; PAUSED while suspended.',
});
export type StageStatus = z.infer<typeof StageStatus>;

export const TaskStatus = z.enum(TASK_STATUSES).meta({
  id: 'TaskStatus',
  description: 'WAITING: its stage is not open yet. PENDING: ready (or delayed until runAfter). IN_PROGRESS: leased to a worker. PAUSED: suspended. COMPLETED, FAILED, ABORTED are final.',
});
export type TaskStatus = z.infer<typeof TaskStatus>;

/** What a heartbeat tells the worker to do with a running task. */
export const Directive = z.enum(['continue', 'cancel', 'suspend', 'lost']).meta({
  id: 'Directive',
  description: 'continue: keep going (lease extended). cancel: the task was aborted, stop. suspend: the task was paused, save a checkpoint and stop. lost: the lease is no longer yours, stop without acking.',
});
export type Directive = z.infer<typeof Directive>;
