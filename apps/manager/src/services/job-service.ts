// Writing the job tree: jobs with stages and tasks in one statement (idempotently), stages and tasks
// appended later, job changes and deletion.
import type { AddTasksResponse, CreateJobRequest, CreateStage, CreateTask, Job, JobStatus, JobType, Priority, Stage } from '@jobnik/contracts';
import type { Db, Queryable } from '../db/db.js';
import type { Audit } from '../domain/audit.js';
import type { TenantScope } from '../domain/caller.js';
import type { BlockedNetworks } from '../domain/blocked-networks.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { jobMachine } from '../domain/job-machine.js';
import { priorityToInt } from '../domain/priority.js';
import { newTaskStatus, stageIsOpen, stageMachine, type NewTaskStatus } from '../domain/stage-machine.js';
import { deleteJob, findJobByIdempotencyKey, lockJob, setJobStatus, updateJobFields } from '../store/jobs.js';
import { insertJobTree } from '../store/job-tree.js';
import { ensureQueues } from '../store/queues.js';
import { addTasksToStage, lockStageWithJob, stageStatesOfJob } from '../store/stages.js';
import { deleteHistoryOfJobs } from '../store/history.js';
import { findStageKey, findTaskBatch, recordStageKey, recordTaskBatch } from '../store/append-keys.js';
import { insertTasks } from '../store/tasks.js';
import type { JobTypeService } from './job-type-service.js';
import type { ReadService } from './read-service.js';
import { inTxSpan } from '../telemetry/tracer.js';
import { notifyReady, READY_CHANNEL } from './ready-signal.js';
import { hashRequest } from './request-hash.js';
import { insertStagesWithTasks, newTask, planStages } from './stage-writer.js';
import { defaultsForJobType, type ManagerTaskDefaults } from './task-defaults.js';

export interface JobServiceOptions {
  taskDefaults: ManagerTaskDefaults;
  maxTasksPerRequest: number;
  /** history.enabled */
  history?: boolean;
  /** webhooks.blockedNetworks: webhook URLs whose host is an address in them are refused (none when absent). */
  blockedNetworks?: BlockedNetworks;
}

export interface CreateContext {
  /** What the caller may see: null = every tenant. */
  scope: TenantScope;
  traceparent?: string | null;
  tracestate?: string | null;
  /** Who creates the job (history): the API key, or the schedule that fires. */
  actor: string;
}

/** Everything decided (and rejected) before the job's transaction: limits, job type defaults, data schema, queues. */
interface JobPlan {
  req: CreateJobRequest;
  tenantId: string;
  priority: Priority;
  taskDefaults: ManagerTaskDefaults;
  requestHash: string | null;
  /** Stage type → queue id, resolved (and missing queues created) before the job's transaction. */
  queueIds: Map<string, number>;
}

export class JobService {
  constructor(
    private readonly db: Db,
    private readonly options: JobServiceOptions,
    private readonly types: JobTypeService,
    private readonly reads: ReadService,
    private readonly hooks: { created?(name: string): void } = {},
  ) {}

  private audit(actor: string): Audit {
    return { actor, record: this.options.history !== false };
  }

  private checkTaskCount(count: number): void {
    if (count > this.options.maxTasksPerRequest) {
      throw new AppError('TOO_MANY_TASKS', 413, `${count} tasks in one request; the limit is ${this.options.maxTasksPerRequest} (add more with POST /stages/{stageId}/tasks)`);
    }
  }

  /** A webhook URL naming an address the manager may not deliver to is refused now, not at every delivery. */
  private checkWebhookHosts(req: CreateJobRequest, at: string): void {
    const blocked = this.options.blockedNetworks;
    if (!blocked || blocked.empty) return;
    const issues = (req.webhooks ?? []).flatMap((w, i) => {
      const address = blocked.blockedLiteral(w.url);
      return address ? [{ path: `${at}/webhooks/${i}/url`, message: `${address} is in a network webhooks may not reach (webhooks.blockedNetworks: ${blocked.text})` }] : [];
    });
    if (issues.length) throw new ValidationError(`webhook URL refused: ${issues[0]!.message}`, issues, 'WEBHOOK_URL_BLOCKED');
  }

  /** `req.tenantId` is the tenant the job belongs to. Returns the job and whether it was created now (false: an idempotent repeat). */
  async create(req: CreateJobRequest & { tenantId: string }, ctx: CreateContext): Promise<{ job: Job; created: boolean }> {
    const plan = await this.plan(this.db, req, req.tenantId);
    // One statement, its own transaction (still traced as one).
    const jobId = await inTxSpan('db.transaction', () => this.insertPlanned(this.db, plan, ctx));
    if (jobId === null) return { job: await this.idempotentRepeat(req.tenantId, req.idempotencyKey!, plan.requestHash!, ctx.scope), created: false };
    this.hooks.created?.(req.name);
    return { job: await this.reads.mustGetJob(jobId, ctx.scope, ['stages']), created: true };
  }

  /**
   * Creates the job inside the caller's transaction (the scheduler fires in its own). Returns the new
   * job's id, or null when the idempotency key was already used.
   */
  async createInTx(tx: Queryable, req: CreateJobRequest, tenantId: string, actor: string): Promise<string | null> {
    const plan = await this.plan(tx, req, tenantId);
    const id = await this.insertPlanned(tx, plan, { scope: tenantId, actor });
    // Counted before the caller's commit (a schedule's fire is rolled back only when the whole tick fails).
    if (id) this.hooks.created?.(req.name);
    return id;
  }

  /**
   * Rejects what creating this job would reject before writing anything: too many tasks, data that fails its job
   * type's schema. Returns the job type (null when none is defined). Schedules check their template with it.
   * `at` is where the job sits in the request body, for the issues' paths.
   */
  async check(db: Queryable, req: CreateJobRequest, tenantId: string, at = '/body'): Promise<JobType | null> {
    this.checkTaskCount((req.stages ?? []).reduce((n, s) => n + (s.tasks?.length ?? 0), 0));
    this.checkWebhookHosts(req, at);
    const type = await this.types.find(db, tenantId, req.name);
    if (type) this.types.validateData(type, req.data, at);
    return type;
  }

  private async plan(db: Queryable, req: CreateJobRequest, tenantId: string): Promise<JobPlan> {
    const stages = req.stages ?? [];
    const type = await this.check(db, req, tenantId);
    // Outside the job's transaction (in create): concurrent first jobs of a new stage type then do not
    // queue up behind each other's uncommitted queue row. An unused queue is harmless.
    const queueIds = stages.length ? await ensureQueues(db, tenantId, stages.map((s) => s.type)) : new Map<string, number>();
    return {
      queueIds,
      req,
      tenantId,
      priority: req.priority ?? type?.defaults.priority ?? 'MEDIUM',
      taskDefaults: defaultsForJobType(this.options.taskDefaults, type),
      requestHash: req.idempotencyKey ? hashRequest({ ...req, tenantId }) : null,
    };
  }

  /** One statement: inside the caller's transaction, or on its own (autocommit, one round trip). */
  private async insertPlanned(db: Queryable, plan: JobPlan, ctx: CreateContext): Promise<string | null> {
    const { req, tenantId } = plan;
    const stages = req.stages ?? [];
    const priority = priorityToInt(plan.priority);
    const planned = planStages(
      { priority, firstOrd: 0, parallel: req.parallelStages ?? false, firstOpen: true, jobPaused: false, taskDefaults: plan.taskDefaults },
      plan.queueIds,
      stages,
    );
    return insertJobTree(
      db,
      {
        tenantId,
        name: req.name,
        priority,
        status: stages.length === 0 ? 'CREATED' : 'PENDING',
        data: req.data ?? null,
        userMetadata: req.userMetadata ?? {},
        idempotencyKey: req.idempotencyKey ?? null,
        requestHash: plan.requestHash,
        parallelStages: req.parallelStages ?? false,
        traceparent: ctx.traceparent ?? null,
        tracestate: ctx.tracestate ?? null,
        expiresAt: req.expiresAt ?? null,
        webhooks: req.webhooks ?? [],
        timeoutMs: req.timeoutMs ?? null,
        audit: this.audit(ctx.actor),
      },
      planned.stages,
      planned.tasks,
      { channel: READY_CHANNEL, stageTypes: [...planned.wake], sinceNow: readyAtCreation(stages) },
    );
  }

  private async idempotentRepeat(tenantId: string, key: string, hash: string, scope: TenantScope): Promise<Job> {
    const existing = await findJobByIdempotencyKey(this.db, tenantId, key);
    if (!existing) throw new ConflictError('IDEMPOTENCY_CONFLICT', `idempotency key ${key} is being used by a job that was deleted meanwhile; retry`);
    if (existing.request_hash !== hash) {
      throw new ConflictError('IDEMPOTENCY_CONFLICT', `idempotency key ${key} was already used with a different request (job ${existing.id})`);
    }
    return this.reads.mustGetJob(existing.id, scope, ['stages']);
  }

  async update(id: string, change: { userMetadata?: Record<string, unknown>; priority?: Priority; expiresAt?: string | null }, scope: TenantScope): Promise<Job> {
    await this.db.transaction(async (tx) => {
      if (!(await lockJob(tx, id, scope))) throw new NotFoundError('job', id);
      await updateJobFields(tx, id, {
        userMetadata: change.userMetadata,
        priority: change.priority === undefined ? undefined : priorityToInt(change.priority),
        expiresAt: change.expiresAt,
      });
    });
    return this.reads.mustGetJob(id, scope);
  }

  async delete(id: string, scope: TenantScope): Promise<void> {
    await this.db.transaction(async (tx) => {
      const job = await lockJob(tx, id, scope);
      if (!job) throw new NotFoundError('job', id);
      if (!jobMachine.isFinal(job.status)) throw new ConflictError('JOB_NOT_FINISHED', `job ${id} is ${job.status}; cancel it before deleting`);
      await deleteJob(tx, id);
      await deleteHistoryOfJobs(tx, [id], 2_147_483_647);
    });
  }

  /**
   * Appends a stage to a job. With an idempotency key (per job), a repeat of the same stage answers the stage the first
   * call added, whatever became of it, and adds nothing (`created: false`); another stage under that key: 409.
   */
  async addStage(jobId: string, stage: CreateStage, scope: TenantScope, actor = 'system', idempotencyKey?: string): Promise<{ stage: Stage; created: boolean }> {
    this.checkTaskCount(stage.tasks?.length ?? 0);
    const requestHash = idempotencyKey === undefined ? null : hashRequest(stage);
    const { stageId, created } = await this.db.transaction(async (tx) => {
      if (idempotencyKey !== undefined) {
        if (!(await lockJob(tx, jobId, scope))) throw new NotFoundError('job', jobId);
        const earlier = keyedRepeat(await findStageKey(tx, jobId, idempotencyKey), requestHash!, `idempotency key ${idempotencyKey} was already used on job ${jobId} with another stage`);
        if (earlier) return { stageId: earlier.stageId, created: false };
      }
      const { stageId: id, wake } = await this.appendStage(tx, jobId, stage, scope, {
        actor,
        refuseFinal: (status) => new ConflictError('ILLEGAL_TRANSITION', `job ${jobId} is ${status}; stages cannot be added`),
      });
      await notifyReady(tx, wake, readyAtCreation([stage]));
      if (idempotencyKey !== undefined) await recordStageKey(tx, jobId, idempotencyKey, { requestHash: requestHash!, stageId: id });
      return { stageId: id, created: true };
    });
    return { stage: await this.reads.mustGetStage(stageId, scope), created };
  }

  /**
   * Appends one stage after a job's last, inside tx (the job locked first); a job still CREATED becomes PENDING.
   * Task defaults: the job type's unless given (the /v1 API has its own). refuseFinal: the error for a finished job.
   */
  async appendStage(
    tx: Queryable,
    jobId: string,
    stage: CreateStage,
    scope: TenantScope,
    o: { actor: string; refuseFinal: (status: JobStatus) => Error; taskDefaults?: ManagerTaskDefaults },
  ): Promise<{ stageId: string; wake: Set<string> }> {
    const job = await lockJob(tx, jobId, scope);
    if (!job) throw new NotFoundError('job', jobId);
    if (jobMachine.isFinal(job.status)) throw o.refuseFinal(job.status);
    const earlier = await stageStatesOfJob(tx, jobId);
    const taskDefaults = o.taskDefaults ?? defaultsForJobType(this.options.taskDefaults, await this.types.find(tx, job.tenant_id, job.name));
    const { stageIds, wake } = await insertStagesWithTasks(
      tx,
      {
        jobId,
        tenantId: job.tenant_id,
        priority: job.priority,
        firstOrd: (earlier.at(-1)?.ord ?? -1) + 1,
        parallel: job.parallel_stages,
        firstOpen: stageIsOpen(job.parallel_stages, earlier.map((s) => s.status)),
        jobPaused: job.status === 'PAUSED',
        taskDefaults,
      },
      [stage],
    );
    if (job.status === 'CREATED') await setJobStatus(tx, jobId, 'PENDING', this.audit(o.actor));
    return { stageId: stageIds[0]!, wake };
  }

  /**
   * Appends tasks to a stage. With an idempotency key (per stage), a repeat of the same tasks answers the ids the first
   * call added, whatever the stage became since, and adds nothing (`created: false`); other tasks under that key: 409.
   */
  async addTasks(stageId: string, tasks: CreateTask[], scope: TenantScope, actor = 'system', idempotencyKey?: string): Promise<{ added: AddTasksResponse; created: boolean }> {
    this.checkTaskCount(tasks.length);
    const requestHash = idempotencyKey === undefined ? null : hashRequest(tasks);
    return this.db.transaction(async (tx) => {
      const locked = await lockStageWithJob(tx, stageId, scope);
      if (!locked) throw new NotFoundError('stage', stageId);
      if (idempotencyKey !== undefined) {
        const earlier = keyedRepeat(await findTaskBatch(tx, stageId, idempotencyKey), requestHash!, `idempotency key ${idempotencyKey} was already used on stage ${stageId} with other tasks`);
        if (earlier) return { added: { stageId, created: earlier.taskIds.length, taskIds: earlier.taskIds }, created: false };
      }
      const { stage, job } = locked;
      if (stageMachine.isFinal(stage.status)) throw new ConflictError('ILLEGAL_TRANSITION', `stage ${stageId} is ${stage.status}; tasks cannot be added`);
      // A stage without tasks (CREATED) takes its status from its first tasks; any other keeps its own.
      let status: NewTaskStatus = stage.status === 'WAITING' ? 'WAITING' : stage.status === 'PAUSED' ? 'PAUSED' : 'PENDING';
      if (stage.status === 'CREATED') {
        const earlier = (await stageStatesOfJob(tx, job.id)).filter((s) => s.ord < stage.ord).map((s) => s.status);
        status = newTaskStatus(stageIsOpen(job.parallel_stages, earlier), job.status === 'PAUSED');
      }
      const base = defaultsForJobType(this.options.taskDefaults, await this.types.find(tx, job.tenant_id, job.name));
      const ids = await insertTasks(
        tx,
        job.id,
        tasks.map((t) => newTask(t, stage.task_defaults, stageId, stage.queue_id, job.priority, status, base)),
        (t) => t.stageId,
        true,
      );
      await addTasksToStage(tx, stageId, status, ids.length, stage.status === 'CREATED' ? status : stage.status);
      if (job.status === 'CREATED') await setJobStatus(tx, job.id, 'PENDING', this.audit(actor));
      if (status === 'PENDING') await notifyReady(tx, [stage.type], readyAtCreation([{ tasks }]));
      if (idempotencyKey !== undefined) await recordTaskBatch(tx, stageId, idempotencyKey, { requestHash: requestHash!, taskIds: ids });
      return { added: { stageId, created: ids.length, taskIds: ids }, created: true };
    });
  }
}

/** What an idempotency key's first append made (null: none yet); 409 IDEMPOTENCY_CONFLICT when it carried another request. */
function keyedRepeat<T extends { requestHash: string }>(earlier: T | null, requestHash: string, conflict: string): T | null {
  if (earlier && earlier.requestHash !== requestHash) throw new ConflictError('IDEMPOTENCY_CONFLICT', conflict);
  return earlier;
}

/** No task names its own runAfter: every new task is ready from the transaction's start on (see notifyReady). */
function readyAtCreation(stages: { tasks?: { runAfter?: unknown }[] }[]): boolean {
  return stages.every((s) => (s.tasks ?? []).every((t) => t.runAfter === undefined));
}
