// ProducerClient: create jobs, stages and tasks, read them back, steer them (cancel, suspend, resume,
// retry) and wait for them. Typed by the user's job map; `ProducerClient` alone accepts any JSON.
import type {
  AddTasksResponse, ApiKey, CreateApiKeyRequest, CreateScheduleRequest, CreatedApiKey, JobPage, JobType, PutJobTypeRequest, Queue, Schedule, Stats,
  TaskSummary, UpdateJobRequest, UpdateQueueRequest, UpdateScheduleRequest, WebhookDelivery, Worker,
} from '@jobnik/contracts';
import { randomUUID } from 'node:crypto';
import type { ClientOptions } from '../options.js';
import { Transport, type CallOptions } from '../transport/transport.js';
import type { BreakerState } from '../transport/policies.js';
import type { AnyJobs, CreateJobInput, JobMapOf, JobName, StageInput, StageType, TaskInput, TypedJob, TypedStage, TypedTask } from '../types.js';
import { allPages, paginate, toQuery, type ListJobsFilter, type ListQueuesFilter, type ListTasksFilter } from './list-filters.js';
import { waitForJob, type ChangeStream, type WaitForJobOptions } from './wait-for-job.js';

/** Per-call options: an abort signal and a timeout override. */
export type RequestOptions = Pick<CallOptions, 'signal' | 'timeoutMs'>;

export interface GetJobOptions extends RequestOptions {
  /** Also return the stages, or the stages with their tasks (tasks capped at 10 000 per stage). */
  include?: 'stages' | 'tasks' | readonly ('stages' | 'tasks')[];
}

export interface AddStageOptions extends RequestOptions {
  /**
   * Makes the append safe to repeat (per job): a repeat with the same key and stage is answered with the stage the
   * first call added and adds nothing. Without one, the SDK gives the call a key of its own (`sdk:<uuid>`, the same on
   * each of its retries); pass your own to make repeats of *your* calls safe too.
   */
  idempotencyKey?: string;
}

export interface AddTasksOptions<T> extends RequestOptions {
  /** The stage's type: types the tasks' data when given (or pass it as the type parameter). */
  stageType?: T;
  /**
   * Makes the append safe to repeat (per stage): a repeat with the same key and tasks is answered with the ids the
   * first call added and adds nothing. Without one, the SDK gives the call a key of its own (`sdk:<uuid>`, the same on
   * each of its retries); pass your own to make repeats of *your* calls safe too (e.g. `chunk-17` after a restart).
   */
  idempotencyKey?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export class ProducerClient<J extends JobMapOf<J> = AnyJobs> {
  readonly transport: Transport;
  private readonly ownsTransport: boolean;

  /** Pass client options, or `{ transport }` to share another client's connection pool and breaker. */
  constructor(options: ClientOptions | { transport: Transport }) {
    if ('transport' in options) {
      this.transport = options.transport;
      this.ownsTransport = false;
    } else {
      this.transport = new Transport(options);
      this.ownsTransport = true;
    }
  }

  /** State of the breaker guarding the manager connection. */
  get breakerState(): BreakerState {
    return this.transport.breakerState;
  }

  /**
   * Creates a job with its stages and their tasks in one request. Every call is idempotent: without an
   * `idempotencyKey` the SDK gives the call a key of its own (`sdk:<uuid>`, the same on each of its
   * retries), so a create whose answer was lost is retried and answered with the job it already made,
   * never made twice. Pass your own key to make repeats of *your* calls (e.g. after a restart) safe too.
   */
  async createJob<N extends JobName<J>>(name: N, input: CreateJobInput<J, N>, opts: RequestOptions = {}): Promise<TypedJob<J, N>> {
    const body = { ...input, name, idempotencyKey: input.idempotencyKey ?? `sdk:${randomUUID()}` };
    const job = await this.transport.call('createJob', { body: body as never }, { ...opts, retry: 'idempotent' });
    return job as unknown as TypedJob<J, N>;
  }

  /**
   * Appends a stage (with tasks) to a job. Give the job name as type parameter to narrow the stage types. Retried like
   * `createJob`: the call carries an idempotency key (`opts.idempotencyKey`, or one of the SDK's own), so a stage
   * whose answer was lost is never appended twice.
   */
  async addStage<N extends JobName<J> = JobName<J>>(jobId: string, stage: StageInput<J, N>, opts: AddStageOptions = {}): Promise<TypedStage<J, StageType<J>>> {
    const { idempotencyKey = `sdk:${randomUUID()}`, ...call } = opts;
    const created = await this.transport.call('addStage', { params: { jobId }, body: { ...(stage as object), idempotencyKey } as never }, { ...call, retry: 'idempotent' });
    return created as unknown as TypedStage<J, StageType<J>>;
  }

  /**
   * Appends tasks to a stage in bulk; the answer lists the new ids in the order given. Retried like `createJob`: the
   * call carries an idempotency key (`opts.idempotencyKey`, or one of the SDK's own), so an append whose answer was
   * lost is never added twice.
   */
  async addTasks<T extends StageType<J>>(stageId: string, tasks: TaskInput<J, T>[], opts: AddTasksOptions<T> = {}): Promise<AddTasksResponse> {
    const { stageType: _stageType, idempotencyKey = `sdk:${randomUUID()}`, ...call } = opts;
    return this.transport.call('addTasks', { params: { stageId }, body: { tasks: tasks as never, idempotencyKey } }, { ...call, retry: 'idempotent' });
  }

  async getJob<N extends JobName<J> = JobName<J>>(jobId: string, opts: GetJobOptions = {}): Promise<TypedJob<J, N>> {
    const { include, ...call } = opts;
    const query = include === undefined ? undefined : { include: typeof include === 'string' ? include : include.join(',') };
    const job = await this.transport.call('getJob', { params: { jobId }, query }, call);
    return job as unknown as TypedJob<J, N>;
  }

  /** One page of jobs. Use `iterateJobs` to walk them all. */
  async listJobs<N extends JobName<J> = JobName<J>>(filter: ListJobsFilter<N> = {}, opts: RequestOptions = {}): Promise<Page<TypedJob<J, N>>> {
    const page: JobPage = await this.transport.call('listJobs', { query: toQuery(filter) }, opts);
    return page as unknown as Page<TypedJob<J, N>>;
  }

  /** Every job matching the filter, page by page (the filter's `limit` is the page size). */
  iterateJobs<N extends JobName<J> = JobName<J>>(filter: ListJobsFilter<N> = {}, opts: RequestOptions = {}): AsyncGenerator<TypedJob<J, N>, void, undefined> {
    return paginate((cursor) => this.listJobs<N>({ ...filter, cursor }, opts), filter.cursor);
  }

  async updateJob<N extends JobName<J> = JobName<J>>(jobId: string, patch: UpdateJobRequest, opts: RequestOptions = {}): Promise<TypedJob<J, N>> {
    const job = await this.transport.call('updateJob', { params: { jobId }, body: patch }, { ...opts, retry: 'idempotent' });
    return job as unknown as TypedJob<J, N>;
  }

  /** Deletes a finished job with its stages and tasks. */
  async deleteJob(jobId: string, opts: RequestOptions = {}): Promise<void> {
    await this.transport.call('deleteJob', { params: { jobId } }, { ...opts, retry: 'idempotent' });
  }

  cancelJob(jobId: string, opts: RequestOptions = {}): Promise<TypedJob<J, JobName<J>>> {
    return this.jobAction('cancelJob', jobId, opts);
  }
  suspendJob(jobId: string, opts: RequestOptions = {}): Promise<TypedJob<J, JobName<J>>> {
    return this.jobAction('suspendJob', jobId, opts);
  }
  resumeJob(jobId: string, opts: RequestOptions = {}): Promise<TypedJob<J, JobName<J>>> {
    return this.jobAction('resumeJob', jobId, opts);
  }
  /** Gives failed and aborted tasks fresh attempts and reopens the job. Not repeated on an unclear network failure. */
  async retryJob(jobId: string, opts: RequestOptions = {}): Promise<TypedJob<J, JobName<J>>> {
    const job = await this.transport.call('retryJob', { params: { jobId } }, { ...opts, retry: 'unsent' });
    return job as unknown as TypedJob<J, JobName<J>>;
  }

  private async jobAction(route: 'cancelJob' | 'suspendJob' | 'resumeJob', jobId: string, opts: RequestOptions) {
    const job = await this.transport.call(route, { params: { jobId } }, { ...opts, retry: 'idempotent' });
    return job as unknown as TypedJob<J, JobName<J>>;
  }

  async getStage<T extends StageType<J> = StageType<J>>(stageId: string, opts: RequestOptions = {}): Promise<TypedStage<J, T>> {
    return (await this.transport.call('getStage', { params: { stageId } }, opts)) as unknown as TypedStage<J, T>;
  }

  /** A job's stages in order. */
  async listStages(jobId: string, opts: RequestOptions = {}): Promise<TypedStage<J, StageType<J>>[]> {
    const list = await this.transport.call('listStages', { params: { jobId } }, opts);
    return list.items as unknown as TypedStage<J, StageType<J>>[];
  }

  getStageSummary(stageId: string, opts: RequestOptions = {}): Promise<TaskSummary> {
    return this.transport.call('getStageSummary', { params: { stageId } }, opts);
  }

  cancelStage(stageId: string, opts: RequestOptions = {}): Promise<TypedStage<J, StageType<J>>> {
    return this.stageAction('cancelStage', stageId, opts);
  }
  suspendStage(stageId: string, opts: RequestOptions = {}): Promise<TypedStage<J, StageType<J>>> {
    return this.stageAction('suspendStage', stageId, opts);
  }
  resumeStage(stageId: string, opts: RequestOptions = {}): Promise<TypedStage<J, StageType<J>>> {
    return this.stageAction('resumeStage', stageId, opts);
  }

  /**
   * Releases a stage created with `hold: true`: it opens now if the stages before it are done, else when they are.
   * Hold a stage to add its tasks over several `addTasks` calls (more than one request may carry, or as they are
   * produced) without workers finishing it between two of them. Not retried on its own: a release that may have
   * landed answers 409 ILLEGAL_TRANSITION when repeated (read the stage: `held` false).
   */
  async releaseStage(stageId: string, opts: RequestOptions = {}): Promise<TypedStage<J, StageType<J>>> {
    return (await this.transport.call('releaseStage', { params: { stageId } }, opts)) as unknown as TypedStage<J, StageType<J>>;
  }

  private async stageAction(route: 'cancelStage' | 'suspendStage' | 'resumeStage', stageId: string, opts: RequestOptions) {
    const stage = await this.transport.call(route, { params: { stageId } }, { ...opts, retry: 'idempotent' });
    return stage as unknown as TypedStage<J, StageType<J>>;
  }

  /** One page of tasks. Use `iterateTasks` to walk them all. */
  async listTasks<T extends StageType<J> = StageType<J>>(filter: ListTasksFilter<T> = {}, opts: RequestOptions = {}): Promise<Page<TypedTask<J, T>>> {
    const page = await this.transport.call('listTasks', { query: toQuery(filter) }, opts);
    return page as unknown as Page<TypedTask<J, T>>;
  }

  iterateTasks<T extends StageType<J> = StageType<J>>(filter: ListTasksFilter<T> = {}, opts: RequestOptions = {}): AsyncGenerator<TypedTask<J, T>, void, undefined> {
    return paginate((cursor) => this.listTasks<T>({ ...filter, cursor }, opts), filter.cursor);
  }

  async getTask<T extends StageType<J> = StageType<J>>(taskId: string, opts: RequestOptions = {}): Promise<TypedTask<J, T>> {
    return (await this.transport.call('getTask', { params: { taskId } }, opts)) as unknown as TypedTask<J, T>;
  }

  async cancelTask<T extends StageType<J> = StageType<J>>(taskId: string, opts: RequestOptions = {}): Promise<TypedTask<J, T>> {
    const task = await this.transport.call('cancelTask', { params: { taskId } }, { ...opts, retry: 'idempotent' });
    return task as unknown as TypedTask<J, T>;
  }

  /** Every queue matching the filter, in one answer. Use `iterateQueues` to walk many (one per tenant and stage type) page by page. */
  async listQueues(filter: ListQueuesFilter<StageType<J>> = {}, opts: RequestOptions = {}): Promise<Queue[]> {
    return (await this.transport.call('listQueues', { query: toQuery(filter) }, opts)).items;
  }

  /** Every queue matching the filter, page by page (`limit` is the page size, default 500). */
  iterateQueues(filter: ListQueuesFilter<StageType<J>> & { limit?: number } = {}, opts: RequestOptions = {}): AsyncGenerator<Queue, void, undefined> {
    const query = { limit: 500, ...filter };
    return paginate(async (cursor) => this.transport.call('listQueues', { query: toQuery({ ...query, cursor }) }, opts));
  }

  /** Pause/resume a queue or cap its tasks in flight (admin key). */
  updateQueue(stageType: StageType<J>, patch: UpdateQueueRequest, opts: RequestOptions & { tenantId?: string } = {}): Promise<Queue> {
    const { tenantId, ...call } = opts;
    return this.transport.call('updateQueue', { params: { stageType }, query: toQuery({ tenantId }), body: patch }, { ...call, retry: 'idempotent' });
  }

  async listWorkers(opts: RequestOptions = {}): Promise<Worker[]> {
    return (await this.transport.call('listWorkers', {}, opts)).items;
  }

  getStats(filter: { tenantId?: string } = {}, opts: RequestOptions = {}): Promise<Stats> {
    return this.transport.call('getStats', { query: toQuery(filter) }, opts);
  }

  /** The delivery log of a job's webhook events, oldest first: every page of it. */
  async listWebhookDeliveries(jobId: string, opts: RequestOptions = {}): Promise<WebhookDelivery[]> {
    return allPages(async (cursor) => this.transport.call('listJobEvents', { params: { jobId }, query: toQuery({ cursor }) }, opts));
  }

  /** A cron schedule that creates `jobTemplate` on every fire time (exactly once across manager replicas). */
  createSchedule(schedule: CreateScheduleRequest, opts: RequestOptions = {}): Promise<Schedule> {
    return this.transport.call('createSchedule', { body: schedule as never }, { ...opts, retry: 'unsent' });
  }
  /** Every schedule in scope, by name (all pages). */
  async listSchedules(opts: RequestOptions = {}): Promise<Schedule[]> {
    return allPages(async (cursor) => this.transport.call('listSchedules', { query: toQuery({ cursor }) }, opts));
  }
  getSchedule(scheduleId: string, opts: RequestOptions = {}): Promise<Schedule> {
    return this.transport.call('getSchedule', { params: { scheduleId } }, opts);
  }
  updateSchedule(scheduleId: string, patch: UpdateScheduleRequest, opts: RequestOptions = {}): Promise<Schedule> {
    return this.transport.call('updateSchedule', { params: { scheduleId }, body: patch as never }, { ...opts, retry: 'idempotent' });
  }
  async deleteSchedule(scheduleId: string, opts: RequestOptions = {}): Promise<void> {
    await this.transport.call('deleteSchedule', { params: { scheduleId } }, { ...opts, retry: 'idempotent' });
  }

  /** Registers (or replaces) the defaults and data schema of a job name. */
  putJobType(name: JobName<J>, definition: PutJobTypeRequest, opts: RequestOptions = {}): Promise<JobType> {
    return this.transport.call('putJobType', { params: { name }, body: definition as never }, { ...opts, retry: 'idempotent' });
  }
  getJobType(name: JobName<J>, opts: RequestOptions = {}): Promise<JobType> {
    return this.transport.call('getJobType', { params: { name } }, opts);
  }
  async listJobTypes(opts: RequestOptions = {}): Promise<JobType[]> {
    return (await this.transport.call('listJobTypes', {}, opts)).items;
  }

  /** Admin key: creates an API key; its secret is in this answer only. */
  createApiKey(request: CreateApiKeyRequest, opts: RequestOptions = {}): Promise<CreatedApiKey> {
    return this.transport.call('createApiKey', { body: request as never }, { ...opts, retry: 'unsent' });
  }
  async listApiKeys(opts: RequestOptions = {}): Promise<ApiKey[]> {
    return (await this.transport.call('listApiKeys', {}, opts)).items;
  }
  async revokeApiKey(keyId: string, opts: RequestOptions = {}): Promise<void> {
    await this.transport.call('revokeApiKey', { params: { keyId } }, { ...opts, retry: 'idempotent' });
  }

  /**
   * Resolves with the job once it is COMPLETED, FAILED or ABORTED (all three resolve; check `status`).
   * Manager outages while waiting are ridden out until `timeoutMs`.
   */
  waitForJob<N extends JobName<J> = JobName<J>>(jobId: string, opts: WaitForJobOptions<TypedJob<J, N>> = {}): Promise<TypedJob<J, N>> {
    return waitForJob(jobId, (signal) => this.getJob<N>(jobId, { signal }), opts, (signal) => this.jobChanges(jobId, signal));
  }

  /** The job's event stream as change notices (null when the manager offers none). */
  private async jobChanges(jobId: string, signal: AbortSignal): Promise<ChangeStream | null> {
    const frames = await this.transport.openEventStream(`/jobs/${encodeURIComponent(jobId)}/events`, signal);
    if (!frames) return null;
    return {
      next: async () => {
        try {
          return !(await frames.next()).done;
        } catch {
          return false;
        }
      },
    };
  }

  /** Closes the connection pool (unless it was shared in through `{ transport }`). */
  async close(): Promise<void> {
    if (this.ownsTransport) await this.transport.close();
  }
}
