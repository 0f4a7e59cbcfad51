// Every read a route makes of jobs, stages, tasks and their webhook deliveries, scoped to the caller's
// tenant, with the 404s decided here: a row outside the caller's scope does not exist for them.
import type { HistoryPage, Job, ListJobsQuery, Stage, Task, TaskAttempt, WebhookDelivery } from '@jobnik/contracts';
import type { z } from 'zod';
import type { Db } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { NotFoundError } from '../domain/errors.js';
import { attemptsOfTask, historyOfJob } from '../store/history.js';
import { getJob, listJobs } from '../store/jobs.js';
import { getStage, listStagesOfJob } from '../store/stages.js';
import { getTask, listTasks, type TaskFilter } from '../store/tasks.js';
import { listDeliveries } from '../store/webhooks.js';

export type JobInclude = 'stages' | 'tasks';
type Page<T> = { items: T[]; nextCursor: string | null };

/** At most this many tasks per stage come with `include=tasks`; more are read with GET /stages/{id}/tasks. */
const INCLUDE_TASKS_LIMIT = 10_000;

export class ReadService {
  constructor(private readonly db: Db) {}

  async mustGetJob(id: string, scope: TenantScope, include: readonly JobInclude[] = []): Promise<Job> {
    const job = await getJob(this.db, id, scope);
    if (!job) throw new NotFoundError('job', id);
    if (include.length === 0) return job;
    const stages = await listStagesOfJob(this.db, id);
    if (include.includes('tasks')) {
      for (const stage of stages) stage.tasks = (await listTasks(this.db, { stageId: stage.id, limit: INCLUDE_TASKS_LIMIT }, scope)).items;
    }
    return { ...job, stages };
  }

  listJobs(query: z.output<typeof ListJobsQuery>, scope: TenantScope): Promise<Page<Job>> {
    return listJobs(this.db, query, scope);
  }

  async listStagesOfJob(jobId: string, scope: TenantScope): Promise<Stage[]> {
    await this.mustGetJob(jobId, scope);
    return listStagesOfJob(this.db, jobId);
  }

  async listJobEvents(jobId: string, scope: TenantScope, page: { limit: number; cursor?: string | undefined }): Promise<{ items: WebhookDelivery[]; nextCursor: string | null }> {
    await this.mustGetJob(jobId, scope);
    return listDeliveries(this.db, jobId, page);
  }

  async mustGetStage(id: string, scope: TenantScope): Promise<Stage> {
    const stage = await getStage(this.db, id, scope);
    if (!stage) throw new NotFoundError('stage', id);
    return stage;
  }

  async listStageTasks(stageId: string, filter: Omit<TaskFilter, 'stageId'>, scope: TenantScope): Promise<Page<Task>> {
    await this.mustGetStage(stageId, scope);
    return listTasks(this.db, { ...filter, stageId }, scope);
  }

  listTasks(filter: TaskFilter, scope: TenantScope): Promise<Page<Task>> {
    return listTasks(this.db, filter, scope);
  }

  async mustGetTask(id: string, scope: TenantScope): Promise<Task> {
    const task = await getTask(this.db, id, scope);
    if (!task) throw new NotFoundError('task', id);
    return task;
  }

  /** A task with every attempt: the ended ones from the history, then the one running now (if any). */
  async mustGetTaskWithAttempts(id: string, scope: TenantScope): Promise<Task> {
    const task = await this.mustGetTask(id, scope);
    const ended: TaskAttempt[] = (await attemptsOfTask(this.db, task.jobId, id)).map(({ taskStatus: _s, actor: _a, ...a }) => a);
    if (task.status === 'IN_PROGRESS' && task.lease) {
      ended.push({ number: task.attempts, workerId: task.lease.workerId, leaseStartedAt: task.startedAt, leaseEndedAt: null, outcome: 'RUNNING', error: null, durationMs: null });
    }
    return { ...task, attemptHistory: ended };
  }

  /** One page of the job's history, oldest first. */
  async jobHistory(jobId: string, scope: TenantScope, page: { limit: number; cursor?: string }): Promise<HistoryPage> {
    await this.mustGetJob(jobId, scope);
    return historyOfJob(this.db, jobId, page.limit, page.cursor);
  }
}
