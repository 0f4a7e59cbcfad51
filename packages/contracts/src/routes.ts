// Every route of the manager's REST API, in one table.
import { z } from 'zod';
import { AckResponse, CompleteTasksRequest, FailTasksRequest, HeartbeatRequest, HeartbeatResponse, ReleaseTasksRequest, WorkerList, WorkerParams } from './ack.js';
import { CreateJobRequest, GetJobQuery, Job, JobIdParams, JobPage, ListJobsQuery, StageIdParams, TaskIdParams, UpdateJobRequest } from './job.js';
import { DirectivesRequest, DirectivesResponse } from './directives.js';
import { DequeueRequest, DequeueResponse, ListQueuesQuery, QueueDequeueRequest, QueueList, QueueParams, QueueQuery, Queue, UpdateQueueRequest } from './queue.js';
import { AddStageRequest, Stage, TaskSummary } from './stage.js';
import { AddTasksRequest, AddTasksResponse, ListTasksQuery, Task, TaskPage } from './task.js';
import { route } from './route.js';
import { flowRoutes } from './flow.js';
import { EventStreamQuery, HistoryEntry, HistoryPage, HistoryQuery } from './history.js';
import { Stats, StatsQuery } from './stats.js';
import { CreateScheduleRequest, ListSchedulesQuery, Schedule, ScheduleList, ScheduleParams, UpdateScheduleRequest } from './schedule.js';
import { JobType, JobTypeList, JobTypeParams, PutJobTypeRequest } from './job-type.js';
import { ListWebhookDeliveriesQuery, WebhookDeliveryList } from './webhook.js';
import { ApiKeyList, ApiKeyParams, CreateApiKeyRequest, CreatedApiKey } from './api-key.js';

const P = ['producer', 'admin'] as const;
const W = ['worker', 'admin'] as const;
/** Reads: every role, the read-only viewer included. */
const ANY = ['producer', 'worker', 'admin', 'viewer'] as const;
const A = ['admin'] as const;

const StageList = z.object({ items: z.array(Stage) }).meta({ id: 'StageList' });

export const routes = {
  // Jobs
  createJob: route({ method: 'POST', path: '/jobs', operationId: 'createJob', tag: 'jobs', roles: P, summary: 'Create a job with its stages and their tasks in one transaction', body: CreateJobRequest, responses: { 201: Job, 200: Job } }),
  listJobs: route({ method: 'GET', path: '/jobs', operationId: 'listJobs', tag: 'jobs', roles: ANY, summary: 'List jobs with filters, sorting and cursor pagination', query: ListJobsQuery, responses: { 200: JobPage } }),
  getJob: route({ method: 'GET', path: '/jobs/:jobId', operationId: 'getJob', tag: 'jobs', roles: ANY, summary: 'Get a job, optionally with its stages and tasks', params: JobIdParams, query: GetJobQuery, responses: { 200: Job } }),
  updateJob: route({ method: 'PATCH', path: '/jobs/:jobId', operationId: 'updateJob', tag: 'jobs', roles: P, summary: 'Update user metadata, priority or expiry', params: JobIdParams, body: UpdateJobRequest, responses: { 200: Job } }),
  deleteJob: route({ method: 'DELETE', path: '/jobs/:jobId', operationId: 'deleteJob', tag: 'jobs', roles: P, summary: 'Delete a finished job with its stages and tasks', params: JobIdParams, responses: { 204: null } }),
  cancelJob: route({ method: 'POST', path: '/jobs/:jobId/cancel', operationId: 'cancelJob', tag: 'jobs', roles: P, summary: 'Abort the job: waiting and pending tasks at once, running ones via their directives long-poll (or heartbeat)', params: JobIdParams, responses: { 200: Job } }),
  suspendJob: route({ method: 'POST', path: '/jobs/:jobId/suspend', operationId: 'suspendJob', tag: 'jobs', roles: P, summary: 'Pause the job; running tasks are told to checkpoint and stop', params: JobIdParams, responses: { 200: Job } }),
  resumeJob: route({ method: 'POST', path: '/jobs/:jobId/resume', operationId: 'resumeJob', tag: 'jobs', roles: P, summary: 'Resume a paused job; tasks restart from their last checkpoint', params: JobIdParams, responses: { 200: Job } }),
  retryJob: route({ method: 'POST', path: '/jobs/:jobId/retry', operationId: 'retryJob', tag: 'jobs', roles: P, summary: 'Give failed and aborted tasks a fresh set of attempts and reopen the job', params: JobIdParams, responses: { 200: Job } }),

  getJobHistory: route({ method: 'GET', path: '/jobs/:jobId/history', operationId: 'getJobHistory', tag: 'jobs', roles: ANY, summary: "The job's history: its and its stages' transitions and its tasks' attempts, oldest first, with who caused each", params: JobIdParams, query: HistoryQuery, responses: { 200: HistoryPage } }),
  streamJobEvents: route({ method: 'GET', path: '/jobs/:jobId/events', operationId: 'streamJobEvents', tag: 'jobs', roles: ANY, summary: "Server-sent events (text/event-stream) of the job's history as it happens: one `data:` HistoryEntry per change, in order, `id:` its seq; resumable with Last-Event-ID", params: JobIdParams, query: EventStreamQuery, responses: { 200: HistoryEntry } }),
  streamEvents: route({ method: 'GET', path: '/events', operationId: 'streamEvents', tag: 'jobs', roles: ANY, summary: "Server-sent events (text/event-stream) of every job's history in the caller's tenant as it happens: one `data:` HistoryEntry per change, in order, `id:` its seq; resumable with Last-Event-ID", query: EventStreamQuery, responses: { 200: HistoryEntry } }),

  // Stages
  listStages: route({ method: 'GET', path: '/jobs/:jobId/stages', operationId: 'listStages', tag: 'stages', roles: ANY, summary: "List a job's stages in order", params: JobIdParams, responses: { 200: StageList } }),
  addStage: route({ method: 'POST', path: '/jobs/:jobId/stages', operationId: 'addStage', tag: 'stages', roles: P, summary: 'Append a stage (with tasks) to a job', params: JobIdParams, body: AddStageRequest, responses: { 201: Stage, 200: Stage } }),
  getStage: route({ method: 'GET', path: '/stages/:stageId', operationId: 'getStage', tag: 'stages', roles: ANY, summary: 'Get a stage', params: StageIdParams, responses: { 200: Stage } }),
  getStageSummary: route({ method: 'GET', path: '/stages/:stageId/summary', operationId: 'getStageSummary', tag: 'stages', roles: ANY, summary: "Count of a stage's tasks by status", params: StageIdParams, responses: { 200: TaskSummary } }),
  addTasks: route({ method: 'POST', path: '/stages/:stageId/tasks', operationId: 'addTasks', tag: 'stages', roles: P, summary: 'Append tasks to a stage in bulk', params: StageIdParams, body: AddTasksRequest, responses: { 201: AddTasksResponse, 200: AddTasksResponse } }),
  listStageTasks: route({ method: 'GET', path: '/stages/:stageId/tasks', operationId: 'listStageTasks', tag: 'stages', roles: ANY, summary: "List a stage's tasks", params: StageIdParams, query: ListTasksQuery.omit({ stageId: true }), responses: { 200: TaskPage } }),
  cancelStage: route({ method: 'POST', path: '/stages/:stageId/cancel', operationId: 'cancelStage', tag: 'stages', roles: P, summary: 'Abort a stage (and so its job)', params: StageIdParams, responses: { 200: Stage } }),
  suspendStage: route({ method: 'POST', path: '/stages/:stageId/suspend', operationId: 'suspendStage', tag: 'stages', roles: P, summary: 'Pause a stage', params: StageIdParams, responses: { 200: Stage } }),
  resumeStage: route({ method: 'POST', path: '/stages/:stageId/resume', operationId: 'resumeStage', tag: 'stages', roles: P, summary: 'Resume a paused stage', params: StageIdParams, responses: { 200: Stage } }),
  releaseStage: route({ method: 'POST', path: '/stages/:stageId/release', operationId: 'releaseStage', tag: 'stages', roles: P, summary: 'Release a stage created with hold: it opens now if the stages before it are done, else when they are', params: StageIdParams, responses: { 200: Stage } }),

  // Tasks
  listTasks: route({ method: 'GET', path: '/tasks', operationId: 'listTasks', tag: 'tasks', roles: ANY, summary: 'List tasks with filters', query: ListTasksQuery, responses: { 200: TaskPage } }),
  getTask: route({ method: 'GET', path: '/tasks/:taskId', operationId: 'getTask', tag: 'tasks', roles: ANY, summary: 'Get a task', params: TaskIdParams, responses: { 200: Task } }),
  cancelTask: route({ method: 'POST', path: '/tasks/:taskId/cancel', operationId: 'cancelTask', tag: 'tasks', roles: P, summary: 'Abort one task', params: TaskIdParams, responses: { 200: Task } }),
  completeTasks: route({ method: 'POST', path: '/tasks/complete', operationId: 'completeTasks', tag: 'workers', roles: W, summary: 'Complete leased tasks in a batch (fenced by lease token)', body: CompleteTasksRequest, responses: { 200: AckResponse } }),
  failTasks: route({ method: 'POST', path: '/tasks/fail', operationId: 'failTasks', tag: 'workers', roles: W, summary: 'Fail leased tasks in a batch: retried with backoff while attempts remain', body: FailTasksRequest, responses: { 200: AckResponse } }),
  releaseTasks: route({ method: 'POST', path: '/tasks/release', operationId: 'releaseTasks', tag: 'workers', roles: W, summary: 'Give leased tasks back unfinished, for another worker to take at once', body: ReleaseTasksRequest, responses: { 200: AckResponse } }),

  // Queues and workers
  listQueues: route({ method: 'GET', path: '/queues', operationId: 'listQueues', tag: 'queues', roles: ANY, summary: 'Queues with their depth by status; filter by stage type or to those with work, page with limit and cursor', query: ListQueuesQuery, responses: { 200: QueueList } }),
  updateQueue: route({ method: 'PATCH', path: '/queues/:stageType', operationId: 'updateQueue', tag: 'queues', roles: A, summary: 'Pause/resume a queue or cap its tasks in flight', params: QueueParams, query: QueueQuery, body: UpdateQueueRequest, responses: { 200: Queue } }),
  dequeue: route({ method: 'POST', path: '/queues/:stageType/dequeue', operationId: 'dequeue', tag: 'workers', roles: W, summary: 'Lease up to `max` ready tasks of one stage type, long-polling up to `waitMs`', params: QueueParams, body: QueueDequeueRequest, responses: { 200: DequeueResponse } }),
  dequeueMany: route({ method: 'POST', path: '/dequeue', operationId: 'dequeueMany', tag: 'workers', roles: W, summary: 'Lease ready tasks of several stage types (body.stageTypes)', body: DequeueRequest, responses: { 200: DequeueResponse } }),
  heartbeat: route({ method: 'POST', path: '/workers/:workerId/heartbeat', operationId: 'heartbeat', tag: 'workers', roles: W, summary: "Extend the leases of a worker's tasks, store progress and checkpoints, get a directive per task", params: WorkerParams, body: HeartbeatRequest, responses: { 200: HeartbeatResponse } }),
  workerDirectives: route({ method: 'POST', path: '/workers/:workerId/directives', operationId: 'workerDirectives', tag: 'workers', roles: W, summary: "Long-poll for cancel/suspend of the worker's running tasks: answered as soon as one is cancelled or suspended, empty at waitMs", params: WorkerParams, body: DirectivesRequest, responses: { 200: DirectivesResponse } }),
  getStats: route({ method: 'GET', path: '/stats', operationId: 'getStats', tag: 'stats', roles: ANY, summary: 'Counts by status per job name and stage type, oldest ready age, throughput', query: StatsQuery, responses: { 200: Stats } }),
  listWorkers: route({ method: 'GET', path: '/workers', operationId: 'listWorkers', tag: 'workers', roles: ANY, summary: 'Workers seen in the last 5 minutes', responses: { 200: WorkerList } }),
  listJobEvents: route({ method: 'GET', path: '/jobs/:jobId/webhook-deliveries', operationId: 'listWebhookDeliveries', tag: 'jobs', roles: [...P, 'viewer'], summary: "The delivery log of a job's webhook events, oldest first, in pages", params: JobIdParams, query: ListWebhookDeliveriesQuery, responses: { 200: WebhookDeliveryList } }),

  // Schedules
  createSchedule: route({ method: 'POST', path: '/schedules', operationId: 'createSchedule', tag: 'schedules', roles: P, summary: 'Create a cron schedule that creates a job on every fire time', body: CreateScheduleRequest, responses: { 201: Schedule } }),
  listSchedules: route({ method: 'GET', path: '/schedules', operationId: 'listSchedules', tag: 'schedules', roles: ANY, summary: 'List schedules with their next and last fire times, by name, in pages', query: ListSchedulesQuery, responses: { 200: ScheduleList } }),
  getSchedule: route({ method: 'GET', path: '/schedules/:scheduleId', operationId: 'getSchedule', tag: 'schedules', roles: ANY, summary: 'Get a schedule', params: ScheduleParams, responses: { 200: Schedule } }),
  updateSchedule: route({ method: 'PATCH', path: '/schedules/:scheduleId', operationId: 'updateSchedule', tag: 'schedules', roles: P, summary: 'Change a schedule (cron, time zone, template, enabled, catch-up)', params: ScheduleParams, body: UpdateScheduleRequest, responses: { 200: Schedule } }),
  deleteSchedule: route({ method: 'DELETE', path: '/schedules/:scheduleId', operationId: 'deleteSchedule', tag: 'schedules', roles: P, summary: 'Delete a schedule (jobs it created stay)', params: ScheduleParams, responses: { 204: null } }),

  // Job types
  putJobType: route({ method: 'PUT', path: '/job-types/:name', operationId: 'putJobType', tag: 'job-types', roles: P, summary: 'Register or replace the definition of a job name: defaults and a JSON Schema for data', params: JobTypeParams, body: PutJobTypeRequest, responses: { 200: JobType } }),
  listJobTypes: route({ method: 'GET', path: '/job-types', operationId: 'listJobTypes', tag: 'job-types', roles: ANY, summary: 'List job types', responses: { 200: JobTypeList } }),
  getJobType: route({ method: 'GET', path: '/job-types/:name', operationId: 'getJobType', tag: 'job-types', roles: ANY, summary: 'Get a job type', params: JobTypeParams, responses: { 200: JobType } }),

  // API keys
  createApiKey: route({ method: 'POST', path: '/api-keys', operationId: 'createApiKey', tag: 'auth', roles: A, summary: 'Create an API key (the secret is in this answer only)', body: CreateApiKeyRequest, responses: { 201: CreatedApiKey } }),
  listApiKeys: route({ method: 'GET', path: '/api-keys', operationId: 'listApiKeys', tag: 'auth', roles: A, summary: 'List API keys (never their secrets)', responses: { 200: ApiKeyList } }),
  revokeApiKey: route({ method: 'DELETE', path: '/api-keys/:keyId', operationId: 'revokeApiKey', tag: 'auth', roles: A, summary: 'Revoke an API key', params: ApiKeyParams, responses: { 204: null } }),

  // Flow control: job groups and rate limits
  ...flowRoutes,
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
