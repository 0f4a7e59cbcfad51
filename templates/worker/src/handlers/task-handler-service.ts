// The shape of the service that handles this worker's tasks; main wiring registers it for every stage type.
import type { TaskContext, WorkerTask } from '@jobnik/sdk';
import type { TileResult, WorkerJobs } from '../jobs.js';

export type WorkerTaskOf = WorkerTask<WorkerJobs, string>;
export type TaskContextOf = TaskContext<WorkerJobs, string>;

export interface TaskHandlerService {
  handle(task: WorkerTaskOf, ctx: TaskContextOf): Promise<TileResult>;
}
