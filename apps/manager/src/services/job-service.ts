// Creating and reading the job tree: jobs with stages and tasks in one transaction, idempotently.
import { createHash } from 'node:crypto';
import type { AddTasksResponse, CreateJobRequest, CreateStage, CreateTask, Job, JobType, Priority, Stage, TaskStatus, StageStatus } from '@jobnik/contracts';
import type { Db, Queryable } from '../db/db.js';
import { AppError, ConflictError, NotFoundError } from '../domain/errors.js';
import { jobMachine } from '../domain/job-machine.js';
import { priorityToInt } from '../domain/priority.js';
import { stageMachine } from '../domain/stage-machine.js';
import { findJobByIdempotencyKey, getJob, insertJob, lockJob, type TenantScope, updateJobFields, deleteJob } from '../store/jobs.js';
import { ensureQueues } from '../store/queues.js';
import { insertStages, listStagesOfJob, lockStageWithJob, nextStageOrd, type NewStage } from '../store/stages.js';
import { insertTasks, listTasks, type NewTask } from '../store/tasks.js';
import { notifyReady } from './ready-signal.js';
import type { JobTypeService } from './job-type-service.js';
import { type ManagerTaskDefaults, resolveSettings } from './task-defaults.js';

export interface JobServiceOptions {
  taskDefaults: ManagerTaskDefaults;
  maxTasksPerRequest: number;
}

export interface CallerContext {
  /** The tenant new rows belong to. */
  tenantId: string;
  /** What the caller may see: null = every tenant. */
  scope: TenantScope;
  traceparent?: string | null;
  tracestate?: string | null;
}

type CreateJobInput = CreateJobRequest;

const INCLUDE_TASKS_LIMIT = 10_000;

interface JobPlan {
  req: CreateJobInput;
  tenantId: string;
  priority: Priority;
  taskDefaults: ManagerTaskDefaults;
  requestHash: string | null;
  /** Stage type → queue id, resolved (and missing queues created) before the job's transaction. */
  queueIds: Map<string, number>;
}

function canonicalHash(value: unknown): string {
  const canonical = JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

export class JobService {
  constructor(
    private readonly db: Db,
    private readonly options: JobServiceOptions,
    private readonly types: JobTypeService,
  ) {}

  private checkTaskCount(count: number): void {
    if (count > this.options.maxTasksPerRequest) {
      throw new AppError('TOO_MANY_TASKS', 413, `${count} tasks in one request; the limit is ${this.options.maxTasksPerRequest} (add more with POST /stages/{stageId}/tasks)`);
    }
  }

  /** Returns the job and whether it was created now (false: an idempotent repeat). */
  async create(req: CreateJobInput, caller: CallerContext): Promise<{ job: Job; created: boolean }> {
    const tenantId = req.tenantId ?? caller.tenantId;
    const plan = await this.plan(this.db, req, tenantId);
    const jobId = await this.db.transaction((tx) => this.insertPlanned(tx, plan, caller));
    if (jobId === null) return { job: await this.idempotentRepeat(tenantId, req.idempotencyKey!, plan.requestHash!, caller.scope), created: false };
    return { job: (await this.get(jobId, caller.scope, ['stages']))!, created: true };
  }

  /**
   * Creates the job inside the caller's transaction (the scheduler fires in its own). Returns the new
   * job's id, or null when the idempotency key was already used.
   */
  async createInTx(tx: Queryable, req: CreateJobInput, tenantId: string): Promise<string | null> {
    const plan = await this.plan(tx, req, tenantId);
    return this.insertPlanned(tx, plan, { tenantId, scope: tenantId });
  }

  /** Everything that can be decided (and rejected) before writing: limits, job type defaults, data schema. */
  private async plan(db: Queryable, req: CreateJobInput, tenantId: string): Promise<JobPlan> {
    const stages = req.stages ?? [];
    this.checkTaskCount(stages.reduce((n, s) => n + (s.tasks?.length ?? 0), 0));
    const type = await this.types.get(db, tenantId, req.name);
    if (type) this.types.validateData(type, req.data);
    const priority: Priority = req.priority ?? type?.defaults.priority ?? 'MEDIUM';
    // Outside the job's transaction (in create): concurrent first jobs of a new stage type then do not
    // queue up behind each other's uncommitted queue row. An unused queue is harmless.
    const queueIds = stages.length ? await ensureQueues(db, tenantId, stages.map((s) => s.type)) : new Map<string, number>();
    return {
      queueIds,
      req,
      tenantId,
      priority,
      taskDefaults: this.taskDefaultsFor(type),
      requestHash: req.idempotencyKey ? canonicalHash({ ...req, tenantId }) : null,
    };
  }

  private taskDefaultsFor(type: JobType | null): ManagerTaskDefaults {
    const base = this.options.taskDefaults;
    if (!type) return base;
    const d = type.defaults;
    return {
      maxAttempts: d.maxAttempts ?? base.maxAttempts,
      backoff: { ...base.backoff, ...Object.fromEntries(Object.entries(d.backoff ?? {}).filter(([, v]) => v !== undefined)) },
      timeoutMs: d.timeoutMs !== undefined ? d.timeoutMs : base.timeoutMs,
    };
  }

  private async insertPlanned(tx: Queryable, plan: JobPlan, caller: CallerContext): Promise<string | null> {
    const { req, tenantId } = plan;
    const stages = req.stages ?? [];
    const row = await insertJob(tx, {
      tenantId,
      name: req.name,
      priority: priorityToInt(plan.priority),
      status: stages.length === 0 ? 'CREATED' : 'PENDING',
      data: req.data ?? null,
      userMetadata: req.userMetadata ?? {},
      idempotencyKey: req.idempotencyKey ?? null,
      requestHash: plan.requestHash,
      parallelStages: req.parallelStages ?? false,
      traceparent: caller.traceparent ?? null,
      tracestate: caller.tracestate ?? null,
      expiresAt: req.expiresAt ?? null,
      webhooks: req.webhooks ?? [],
    });
    if (!row) return null; // the idempotency key is taken
    const jobId = row.id as string;
    const wake = await this.insertStagesWithTasks(tx, jobId, tenantId, priorityToInt(plan.priority), 0, stages, plan.taskDefaults, {
      parallel: req.parallelStages ?? false,
      openFirst: true,
      paused: false,
      queueIds: plan.queueIds,
    });
    await notifyReady(tx, wake);
    return jobId;
  }

  private async idempotentRepeat(tenantId: string, key: string, hash: string, scope: TenantScope): Promise<Job> {
    const existing = await findJobByIdempotencyKey(this.db, tenantId, key);
    if (!existing) throw new ConflictError('IDEMPOTENCY_CONFLICT', `idempotency key ${key} is being used by a job that was deleted meanwhile; retry`);
    if (existing.request_hash !== hash) {
      throw new ConflictError('IDEMPOTENCY_CONFLICT', `idempotency key ${key} was already used with a different request (job ${existing.id as string})`);
    }
    return (await this.get(existing.id as string, scope, ['stages']))!;
  }

  /**
   * Inserts stages starting at `firstOrd` with all their tasks (one statement per table) and returns the
   * stage types that got PENDING tasks. A stage is open when the job runs stages in parallel or every
   * earlier stage is complete (`openFirst` says so for the first stage given).
   */
  private async insertStagesWithTasks(
    tx: Queryable,
    jobId: string,
    tenantId: string,
    priority: number,
    firstOrd: number,
    stages: CreateStage[],
    taskDefaults: ManagerTaskDefaults,
    how: { parallel: boolean; openFirst: boolean; paused: boolean; queueIds?: Map<string, number> },
  ): Promise<Set<string>> {
    const wake = new Set<string>();
    if (stages.length === 0) return wake;
    const queueIds = how.queueIds ?? (await ensureQueues(tx, tenantId, stages.map((s) => s.type)));
    const plans = stages.map((s, i) => {
      const hasTasks = (s.tasks?.length ?? 0) > 0;
      const open = how.parallel || (i === 0 && how.openFirst);
      const taskStatus: TaskStatus = !open ? 'WAITING' : how.paused ? 'PAUSED' : 'PENDING';
      const status: StageStatus = !hasTasks ? 'CREATED' : !open ? 'WAITING' : how.paused ? 'PAUSED' : 'PENDING';
      if (hasTasks && taskStatus === 'PENDING') wake.add(s.type);
      return { s, taskStatus, status, n: s.tasks?.length ?? 0 };
    });
    const newStages: NewStage[] = plans.map(({ s, status, taskStatus, n }, i) => ({
      ord: firstOrd + i,
      type: s.type,
      queueId: queueIds.get(s.type)!,
      status,
      data: s.data ?? null,
      userMetadata: s.userMetadata ?? {},
      failFast: s.failFast ?? true,
      taskDefaults: s.taskDefaults ?? {},
      nWaiting: taskStatus === 'WAITING' ? n : 0,
      nPending: taskStatus === 'PENDING' ? n : 0,
      nPaused: taskStatus === 'PAUSED' ? n : 0,
    }));
    const stageIds = await insertStages(tx, jobId, newStages);
    const tasks: NewTask[] = [];
    plans.forEach(({ s, taskStatus }, i) => {
      for (const t of s.tasks ?? []) tasks.push(this.newTask(t, s, stageIds[i]!, queueIds.get(s.type)!, priority, taskStatus, taskDefaults));
    });
    await insertTasks(tx, jobId, tasks, false);
    return wake;
  }

  private newTask(
    t: CreateTask,
    s: Pick<CreateStage, 'taskDefaults'>,
    stageId: string,
    queueId: number,
    priority: number,
    status: TaskStatus,
    base: ManagerTaskDefaults,
  ): NewTask {
    return {
      stageId,
      queueId,
      priority,
      status,
      data: t.data ?? null,
      userMetadata: t.userMetadata ?? {},
      ...resolveSettings(t, s.taskDefaults, base),
      runAfter: t.runAfter ?? null,
    };
  }

  async get(id: string, scope: TenantScope, include: ('stages' | 'tasks')[] = []): Promise<Job | null> {
    const job = await getJob(this.db, id, scope);
    if (!job || include.length === 0) return job;
    const stages = await listStagesOfJob(this.db, id);
    if (include.includes('tasks')) {
      for (const stage of stages) {
        stage.tasks = (await listTasks(this.db, { stageId: stage.id, limit: INCLUDE_TASKS_LIMIT }, scope)).items;
      }
    }
    return { ...job, stages };
  }

  async mustGet(id: string, scope: TenantScope, include: ('stages' | 'tasks')[] = []): Promise<Job> {
    const job = await this.get(id, scope, include);
    if (!job) throw new NotFoundError('job', id);
    return job;
  }

  async update(id: string, change: { userMetadata?: Record<string, unknown>; priority?: CreateJobInput['priority']; expiresAt?: string | null }, scope: TenantScope): Promise<Job> {
    await this.db.transaction(async (tx) => {
      const job = await lockJob(tx, id, scope);
      if (!job) throw new NotFoundError('job', id);
      await updateJobFields(tx, id, {
        userMetadata: change.userMetadata,
        priority: change.priority === undefined ? undefined : priorityToInt(change.priority),
        expiresAt: change.expiresAt,
      });
    });
    return this.mustGet(id, scope);
  }

  async delete(id: string, scope: TenantScope): Promise<void> {
    await this.db.transaction(async (tx) => {
      const job = await lockJob(tx, id, scope);
      if (!job) throw new NotFoundError('job', id);
      if (!jobMachine.isFinal(job.status as Job['status'])) {
        throw new ConflictError('JOB_NOT_FINISHED', `job ${id} is ${job.status as string}; cancel it before deleting`);
      }
      await deleteJob(tx, id);
    });
  }

  async addStage(jobId: string, stage: CreateStage, scope: TenantScope): Promise<Stage> {
    this.checkTaskCount(stage.tasks?.length ?? 0);
    const stageId = await this.db.transaction(async (tx) => {
      const job = await lockJob(tx, jobId, scope);
      if (!job) throw new NotFoundError('job', jobId);
      const status = job.status as Job['status'];
      if (jobMachine.isFinal(status)) throw new ConflictError('ILLEGAL_TRANSITION', `job ${jobId} is ${status}; stages cannot be added`);
      const ord = await nextStageOrd(tx, jobId);
      const earlier = await tx.query<{ status: string }>('SELECT status FROM stages WHERE job_id = $1', [jobId]);
      const openFirst = earlier.every((s) => s.status === 'COMPLETED');
      const type = await this.types.get(tx, job.tenant_id as string, job.name as string);
      const wake = await this.insertStagesWithTasks(tx, jobId, job.tenant_id as string, job.priority as number, ord, [stage], this.taskDefaultsFor(type), {
        parallel: job.parallel_stages as boolean,
        openFirst,
        paused: status === 'PAUSED',
      });
      if (status === 'CREATED') await tx.query(`UPDATE jobs SET status = 'PENDING', updated_at = now() WHERE id = $1`, [jobId]);
      await notifyReady(tx, wake);
      return (await tx.query<{ id: string }>('SELECT id FROM stages WHERE job_id = $1 AND ord = $2', [jobId, ord]))[0]!.id;
    });
    return (await listStagesOfJob(this.db, jobId)).find((s) => s.id === stageId)!;
  }

  async addTasks(stageId: string, tasks: CreateTask[], scope: TenantScope): Promise<AddTasksResponse> {
    this.checkTaskCount(tasks.length);
    return this.db.transaction(async (tx) => {
      const locked = await lockStageWithJob(tx, stageId, scope);
      if (!locked) throw new NotFoundError('stage', stageId);
      const { stage, job } = locked;
      const stageStatus = stage.status as StageStatus;
      if (stageMachine.isFinal(stageStatus)) throw new ConflictError('ILLEGAL_TRANSITION', `stage ${stageId} is ${stageStatus}; tasks cannot be added`);
      let nextStageStatus: StageStatus = stageStatus;
      if (stageStatus === 'CREATED') {
        const earlier = await tx.query<{ status: string }>('SELECT status FROM stages WHERE job_id = $1 AND ord < $2', [job.id, stage.ord]);
        const open = (job.parallel_stages as boolean) || earlier.every((s) => s.status === 'COMPLETED');
        nextStageStatus = !open ? 'WAITING' : job.status === 'PAUSED' ? 'PAUSED' : 'PENDING';
      }
      const taskStatus: TaskStatus = nextStageStatus === 'WAITING' ? 'WAITING' : nextStageStatus === 'PAUSED' ? 'PAUSED' : 'PENDING';
      const taskDefaults = stage.task_defaults as CreateStage['taskDefaults'];
      const base = this.taskDefaultsFor(await this.types.get(tx, job.tenant_id as string, job.name as string));
      const ids = await insertTasks(
        tx,
        job.id as string,
        tasks.map((t) => this.newTask(t, { taskDefaults }, stageId, stage.queue_id as number, job.priority as number, taskStatus, base)),
        true,
      );
      const col = taskStatus === 'WAITING' ? 'n_waiting' : taskStatus === 'PAUSED' ? 'n_paused' : 'n_pending';
      await tx.query(`UPDATE stages SET ${col} = ${col} + $2, status = $3, updated_at = now() WHERE id = $1`, [stageId, ids.length, nextStageStatus]);
      if (job.status === 'CREATED') await tx.query(`UPDATE jobs SET status = 'PENDING', updated_at = now() WHERE id = $1`, [job.id]);
      if (taskStatus === 'PENDING') await notifyReady(tx, [stage.type as string]);
      return { stageId, created: ids.length, taskIds: ids };
    });
  }
}
