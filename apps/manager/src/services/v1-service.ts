// The /v1 (MapColonies-compatible) API on top of our services: their calls become ordinary job creation, stage
// writes, lifecycle actions, dequeues and fenced acks, so /v1 jobs are jobs like any other. What they need that
// we do not have is stored for real: held stages (startAsWaiting); their task statuses are a view (domain/v1-view).
import { randomBytes } from 'node:crypto';
import type { CreateStage, Job, JsonObject, Priority, Stage, TaskStatus, V1CreateTask, V1Job, V1Stage, V1StageStatus, V1Summary, V1Task, V1TaskStatus } from '@jobnik/contracts';
import type { Db } from '../db/db.js';
import { auditOf } from '../domain/audit.js';
import type { TenantScope } from '../domain/caller.js';
import { AppError, NotFoundError } from '../domain/errors.js';
import { stageMachine } from '../domain/stage-machine.js';
import { V1ApiError } from '../domain/v1-errors.js';
import { exclusiveEnd, illegalTransitionMessage, NO_TRACE, storedMaxAttempts, toV1Job, toV1Stage, toV1Task, v1JobStatus, v1StageStatus, v1Summary } from '../domain/v1-view.js';
import { lockStageWithJob } from '../store/stages.js';
import { listStagesWhere, setStageUserMetadata, stagesCompletedOfJobs, v1StageExtras } from '../store/v1-stages.js';
import { listTasksWithTrace, setTaskUserMetadata, taskLease, type TaskWithTrace } from '../store/v1-tasks.js';
import type { JobService } from './job-service.js';
import type { LifecycleService } from './lifecycle-service.js';
import type { ReadService } from './read-service.js';
import { publish } from './settle.js';
import { isReleasable, releaseStageHold } from './stage-hold.js';
import type { ManagerTaskDefaults } from './task-defaults.js';
import type { WorkService } from './work-service.js';

export interface V1Options {
  /** Lease of a task dequeued through /v1 (their workers never heartbeat). */
  leaseMs: number;
  /** Their maxAttempts (runs in all) for a task created without one. */
  maxAttempts: number;
  taskDefaults: ManagerTaskDefaults;
  /** history.enabled: whether the changes made here are recorded in the history. */
  recordHistory: boolean;
}

/** Our statuses that can show as each of theirs (the view then decides exactly). */
const TASK_STATUSES_OF: Record<V1TaskStatus, TaskStatus[]> = {
  PENDING: ['PENDING', 'PAUSED'],
  RETRIED: ['PENDING', 'PAUSED'],
  CREATED: ['WAITING'],
  IN_PROGRESS: ['IN_PROGRESS'],
  COMPLETED: ['COMPLETED'],
  FAILED: ['FAILED', 'ABORTED'],
};

/** Their retries happen at once: no backoff for tasks created through /v1. */
const NO_BACKOFF = { baseMs: 0, maxMs: 0, jitter: 0 };
const LIST_PAGE = 1000;

function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

function taskView(t: TaskWithTrace): V1Task {
  return toV1Task(t.task, { traceparent: t.traceparent ?? NO_TRACE, tracestate: t.tracestate });
}

export interface V1CreateContext {
  tenantId: string;
  scope: TenantScope;
  traceparent: string | null;
  tracestate: string | null;
  /** Who creates the job (history). */
  actor: string;
}

/** A job without stages: none completed, of none. */
const NO_STAGES = { completed: 0, total: 0 };

export class V1Service {
  constructor(
    private readonly db: Db,
    private readonly reads: ReadService,
    private readonly jobs: JobService,
    private readonly lifecycle: LifecycleService,
    private readonly work: WorkService,
    private readonly options: V1Options,
  ) {}

  // Jobs

  async createJob(body: { name: string; data: JsonObject; priority: Priority; userMetadata?: JsonObject; traceparent?: string; tracestate?: string }, ctx: V1CreateContext): Promise<V1Job> {
    // Their trace context: the body's, else the caller's header, else a new one (their manager injects one too).
    const traceparent = body.traceparent ?? ctx.traceparent ?? newTraceparent();
    const tracestate = body.traceparent ? (body.tracestate ?? null) : body.tracestate ?? ctx.tracestate;
    const { job } = await this.jobs.create(
      { name: body.name, data: body.data, priority: body.priority, userMetadata: body.userMetadata ?? {}, tenantId: ctx.tenantId },
      { scope: ctx.scope, traceparent, tracestate, actor: ctx.actor },
    );
    return toV1Job(job, NO_STAGES);
  }

  async getJob(id: string, scope: TenantScope, withStages: boolean): Promise<V1Job> {
    const job = await this.reads.mustGetJob(id, scope);
    return this.jobView(job, scope, withStages);
  }

  /** `progress`: the job's stages completed and in all, when the caller read them for a page of jobs at once. */
  private async jobView(job: Job, scope: TenantScope, withStages: boolean, progress?: { completed: number; total: number }): Promise<V1Job> {
    const stages = progress ?? (await stagesCompletedOfJobs(this.db, [job.id])).get(job.id) ?? NO_STAGES;
    if (!withStages) return toV1Job(job, stages);
    return toV1Job(job, stages, await this.stageViews(await listStagesWhere(this.db, { jobId: job.id }, scope), scope, false));
  }

  /** Every job matching; creation time filters are inclusive at both ends. */
  async listJobs(q: { job_name?: string; from_date?: string; end_date?: string; priority?: Priority; should_return_stages?: boolean }, scope: TenantScope): Promise<V1Job[]> {
    const out: V1Job[] = [];
    const before = exclusiveEnd(q.end_date);
    let cursor: string | undefined;
    do {
      const page = await this.reads.listJobs(
        {
          limit: LIST_PAGE,
          sort: 'createdAt',
          ...(cursor ? { cursor } : {}),
          ...(q.job_name ? { name: q.job_name } : {}),
          ...(q.priority ? { priority: [q.priority] } : {}),
          ...(q.from_date ? { createdAfter: q.from_date } : {}),
          ...(before ? { createdBefore: before } : {}),
        },
        scope,
      );
      const progress = await stagesCompletedOfJobs(this.db, page.items.map((j) => j.id));
      for (const job of page.items) out.push(await this.jobView(job, scope, q.should_return_stages ?? false, progress.get(job.id) ?? NO_STAGES));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  async deleteJob(id: string, scope: TenantScope): Promise<void> {
    try {
      await this.jobs.delete(id, scope);
    } catch (err) {
      if (err instanceof AppError && err.code === 'JOB_NOT_FINISHED') throw new V1ApiError('JOB_NOT_IN_FINITE_STATE', 400, `job ${id} is not in a finite state; only COMPLETED, FAILED or ABORTED jobs can be deleted`);
      throw err;
    }
  }

  async setJobMetadata(id: string, userMetadata: JsonObject, scope: TenantScope): Promise<void> {
    await this.jobs.update(id, { userMetadata }, scope);
  }

  /** false: the job already has this priority (nothing changed). */
  async setJobPriority(id: string, priority: Priority, scope: TenantScope): Promise<boolean> {
    const job = await this.reads.mustGetJob(id, scope);
    if (job.priority === priority) return false;
    await this.jobs.update(id, { priority }, scope);
    return true;
  }

  /** PAUSED: suspend; PENDING: resume; ABORTED: cancel. */
  async setJobStatus(id: string, status: 'PENDING' | 'PAUSED' | 'ABORTED', scope: TenantScope, actor: string): Promise<void> {
    try {
      if (status === 'PAUSED') await this.lifecycle.suspendJob(id, scope, actor);
      else if (status === 'PENDING') await this.lifecycle.resumeJob(id, scope, actor);
      else await this.lifecycle.cancelJob(id, scope, actor);
    } catch (err) {
      if (err instanceof AppError && err.code === 'ILLEGAL_TRANSITION') {
        const job = await this.reads.mustGetJob(id, scope);
        throw new V1ApiError('ILLEGAL_JOB_STATUS_TRANSITION', 400, illegalTransitionMessage(v1JobStatus(job.status), status));
      }
      throw err;
    }
  }

  // Stages

  private async stageViews(stages: Stage[], scope: TenantScope, withTasks: boolean): Promise<V1Stage[]> {
    const extras = await v1StageExtras(this.db, stages.map((s) => s.id));
    const views: V1Stage[] = [];
    for (const s of stages) {
      const x = extras.get(s.id);
      const tasks = withTasks ? (await listTasksWithTrace(this.db, { stageId: s.id }, scope)).map(taskView) : undefined;
      views.push(toV1Stage(s, { held: x?.held ?? false, retried: x?.retried ?? 0, traceparent: x?.traceparent ?? NO_TRACE, tracestate: x?.tracestate ?? null }, tasks));
    }
    return views;
  }

  async listJobStages(jobId: string, scope: TenantScope, withTasks: boolean): Promise<V1Stage[]> {
    await this.reads.mustGetJob(jobId, scope);
    return this.stageViews(await listStagesWhere(this.db, { jobId }, scope), scope, withTasks);
  }

  async listStages(q: { job_id?: string; stage_type?: string; stage_operation_status?: V1StageStatus; should_return_tasks?: boolean }, scope: TenantScope): Promise<V1Stage[]> {
    const stages = await listStagesWhere(this.db, { ...(q.job_id ? { jobId: q.job_id } : {}), ...(q.stage_type ? { type: q.stage_type } : {}) }, scope);
    const views = await this.stageViews(stages, scope, false);
    const wanted = views.filter((v) => !q.stage_operation_status || v.status === q.stage_operation_status);
    if (!q.should_return_tasks) return wanted;
    const byId = new Map(stages.map((s) => [s.id, s]));
    return this.stageViews(wanted.map((v) => byId.get(v.id)!), scope, true);
  }

  async getStage(id: string, scope: TenantScope, withTasks: boolean): Promise<V1Stage> {
    const stage = await this.reads.mustGetStage(id, scope);
    return (await this.stageViews([stage], scope, withTasks))[0]!;
  }

  async stageSummary(id: string, scope: TenantScope): Promise<V1Summary> {
    const stage = await this.reads.mustGetStage(id, scope);
    const x = (await v1StageExtras(this.db, [id])).get(id);
    return v1Summary(stage.summary, x?.retried ?? 0);
  }

  async setStageMetadata(id: string, userMetadata: JsonObject, scope: TenantScope): Promise<void> {
    if (!(await setStageUserMetadata(this.db, id, userMetadata, scope))) throw new NotFoundError('stage', id);
  }

  /** Appends a stage; startAsWaiting holds it in WAITING until released, whatever the stages before it do. */
  async addStage(jobId: string, body: { type: string; data: JsonObject; userMetadata?: JsonObject; startAsWaiting?: boolean }, scope: TenantScope, actor: string): Promise<V1Stage> {
    const stageId = await this.db.transaction(async (tx) => {
      // No tasks yet (they come with POST /v1/stages/{id}/tasks), so nothing to wake.
      const stage: CreateStage = { type: body.type, data: body.data, userMetadata: body.userMetadata ?? {}, tasks: [], hold: body.startAsWaiting ?? false };
      const { stageId: id } = await this.jobs.appendStage(tx, jobId, stage, scope, {
        actor,
        taskDefaults: this.options.taskDefaults,
        refuseFinal: (status) => new V1ApiError('JOB_IN_FINITE_STATE', 400, `job ${jobId} is ${status}; stages cannot be added to a finished job`),
      });
      return id;
    });
    return this.getStage(stageId, scope, false);
  }

  /** PUT status PENDING: releases a held stage. It opens now if the stages before it are done, else when they are. */
  async releaseStage(id: string, scope: TenantScope, actor: string): Promise<void> {
    const audit = auditOf(actor, this.options.recordHistory);
    await this.db.transaction(async (tx) => {
      const locked = await lockStageWithJob(tx, id, scope);
      if (!locked) throw new NotFoundError('stage', id);
      const { stage, job } = locked;
      if (!isReleasable(stage)) {
        throw new V1ApiError('ILLEGAL_STAGE_STATUS_TRANSITION', 400, illegalTransitionMessage(v1StageStatus(stage.status, stage.held, stage.started_at !== null), 'PENDING'));
      }
      await publish(tx, await releaseStageHold(tx, stage, job, audit));
    });
  }

  async listStageTasks(stageId: string, scope: TenantScope): Promise<V1Task[]> {
    await this.reads.mustGetStage(stageId, scope);
    return (await listTasksWithTrace(this.db, { stageId }, scope)).map(taskView);
  }

  /** Tasks with their maxAttempts (runs, as ours), and no backoff: a failed /v1 task is ready again at once. */
  async addTasks(stageId: string, tasks: V1CreateTask[], scope: TenantScope): Promise<V1Task[]> {
    const stage = await this.reads.mustGetStage(stageId, scope);
    if (stageMachine.isFinal(stage.status)) throw new V1ApiError('STAGE_IN_FINITE_STATE', 400, `stage ${stageId} is ${stage.status}; tasks cannot be added`);
    if (stage.status === 'IN_PROGRESS') throw new V1ApiError('NOT_ALLOWED_TO_ADD_TASKS_TO_IN_PROGRESS_STAGE', 400, `stage ${stageId} is IN_PROGRESS; tasks cannot be added to a running stage`);
    if (tasks.length === 0) return [];
    let ids: string[];
    try {
      const { added } = await this.jobs.addTasks(
        stageId,
        tasks.map((t) => ({ data: t.data, userMetadata: t.userMetadata ?? {}, maxAttempts: storedMaxAttempts(t.maxAttempts ?? this.options.maxAttempts), backoff: NO_BACKOFF })),
        scope,
      );
      ids = added.taskIds;
    } catch (err) {
      if (err instanceof AppError && err.code === 'ILLEGAL_TRANSITION') throw new V1ApiError('STAGE_IN_FINITE_STATE', 400, `stage ${stageId} finished meanwhile; tasks cannot be added`);
      throw err;
    }
    return (await listTasksWithTrace(this.db, { stageId, ids }, scope)).map(taskView);
  }

  // Tasks

  /** One task per call; none ready answers 404 TASK_NOT_FOUND, as their workers expect. */
  async dequeue(stageType: string, tenantId: string | null, workerId: string): Promise<V1Task> {
    const res = await this.work.dequeue({ stageTypes: [stageType], workerId, max: 1, waitMs: 0, leaseMs: this.options.leaseMs, tenantId });
    const leased = res.count > 0 ? (JSON.parse(res.json) as { tasks: { id: string }[] }).tasks[0] : undefined;
    if (!leased) throw new V1ApiError('TASK_NOT_FOUND', 404, `no task of stage type ${stageType} is ready`);
    return this.getTask(leased.id, tenantId);
  }

  async listTasks(q: { stage_id?: string; stage_type?: string; from_date?: string; end_date?: string; status?: V1TaskStatus }, scope: TenantScope): Promise<V1Task[]> {
    const before = exclusiveEnd(q.end_date);
    const rows = await listTasksWithTrace(
      this.db,
      {
        ...(q.stage_id ? { stageId: q.stage_id } : {}),
        ...(q.stage_type ? { stageType: q.stage_type } : {}),
        ...(q.status ? { statuses: TASK_STATUSES_OF[q.status] } : {}),
        ...(q.from_date ? { createdFrom: q.from_date } : {}),
        ...(before ? { createdBefore: before } : {}),
      },
      scope,
    );
    return rows.map(taskView).filter((t) => !q.status || t.status === q.status);
  }

  async getTask(id: string, scope: TenantScope): Promise<V1Task> {
    const [row] = await listTasksWithTrace(this.db, { ids: [id] }, scope);
    if (!row) throw new NotFoundError('task', id);
    return taskView(row);
  }

  async setTaskMetadata(id: string, userMetadata: JsonObject, scope: TenantScope): Promise<void> {
    if (!(await setTaskUserMetadata(this.db, id, userMetadata, scope))) throw new NotFoundError('task', id);
  }

  /**
   * COMPLETED or FAILED by task id. Their workers hold no lease token: the current lease is looked up and the
   * ack is fenced by it, so a task that changed hands (or status) in between answers 409 TASK_STATUS_UPDATE_FAILED.
   * FAILED retries at once while retries remain (RETRIED), else fails the task for good.
   */
  async setTaskStatus(id: string, status: 'COMPLETED' | 'FAILED', scope: TenantScope): Promise<V1Task> {
    const lease = await taskLease(this.db, id, scope);
    if (!lease) throw new NotFoundError('task', id);
    if (lease.status !== 'IN_PROGRESS' || !lease.lease_token) {
      const current = await this.getTask(id, scope);
      throw new V1ApiError('ILLEGAL_TASK_STATUS_TRANSITION', 400, illegalTransitionMessage(current.status, status));
    }
    const item = { taskId: id, leaseToken: lease.lease_token };
    const res =
      status === 'COMPLETED'
        ? await this.work.complete(scope, [item])
        : await this.work.fail(scope, [{ ...item, error: { message: 'marked FAILED through /v1', code: 'V1_FAILED' } }]);
    const outcome = res.items[0];
    if (!outcome?.ok) throw new V1ApiError('TASK_STATUS_UPDATE_FAILED', 409, `task ${id} changed while it was being updated (${outcome?.code ?? 'unknown'}); read it again`);
    return this.getTask(id, scope);
  }
}
