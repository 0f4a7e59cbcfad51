// The /v1 API: the wire shapes and routes of MapColonies' Jobnik manager (v0.2.1 openapi3.yaml), served by our
// manager so their producers and workers run unchanged. Written from their document; errors are { message, code }.
import { z } from 'zod';
import { JsonObject, JsonValue, Timestamp, Uuid } from './common.js';
import { Priority } from './enums.js';
import { route } from './route.js';

export const V1_JOB_STATUSES = ['PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'ABORTED', 'PAUSED', 'CREATED'] as const;
export const V1_STAGE_STATUSES = ['PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'ABORTED', 'WAITING', 'CREATED'] as const;
export const V1_TASK_STATUSES = ['PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CREATED', 'RETRIED'] as const;
export type V1JobStatus = (typeof V1_JOB_STATUSES)[number];
export type V1StageStatus = (typeof V1_STAGE_STATUSES)[number];
export type V1TaskStatus = (typeof V1_TASK_STATUSES)[number];

/** Their error codes (and ours that reach /v1 callers unchanged: UNAUTHORIZED, FORBIDDEN, RATE_LIMITED, PAYLOAD_TOO_LARGE…). */
export const V1_ERROR_CODES = [
  'VALIDATION_ERROR',
  'JOB_NOT_FOUND',
  'STAGE_NOT_FOUND',
  'TASK_NOT_FOUND',
  'JOB_NOT_IN_FINITE_STATE',
  'JOB_IN_FINITE_STATE',
  'ILLEGAL_JOB_STATUS_TRANSITION',
  'ILLEGAL_STAGE_STATUS_TRANSITION',
  'ILLEGAL_TASK_STATUS_TRANSITION',
  'STAGE_IN_FINITE_STATE',
  'NOT_ALLOWED_TO_ADD_TASKS_TO_IN_PROGRESS_STAGE',
  'TASK_STATUS_UPDATE_FAILED',
  'DATABASE_RELATED_ERROR',
  'UNKNOWN_ERROR',
] as const;
export type V1ErrorCode = (typeof V1_ERROR_CODES)[number];

export const V1Error = z.object({ message: z.string(), code: z.string() }).meta({ id: 'V1Error', description: '/v1 error body: a message and a code (VALIDATION_ERROR, JOB_NOT_FOUND, ILLEGAL_JOB_STATUS_TRANSITION, …)' });
export const V1Ok = z
  .object({ code: z.enum(['JOB_MODIFIED_SUCCESSFULLY', 'TASK_MODIFIED_SUCCESSFULLY', 'STAGE_MODIFIED_SUCCESSFULLY', 'JOB_DELETED_SUCCESSFULLY']) })
  .meta({ id: 'V1Ok' });

const Traceparent = z.string().regex(/^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/, 'a W3C traceparent');
const Tracestate = z.string().max(512).regex(/^[a-z0-9][a-z0-9_\-*/@]*=[^,=]+(?:,[a-z0-9][a-z0-9_\-*/@]*=[^,=]+)*$/, 'a W3C tracestate');
/** Their names: 2–50 characters of any kind. */
const V1JobName = z.string().min(2).max(50);
const V1StageType = z.string().min(1).max(50);
const Flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const Obj = z.record(z.string(), JsonValue);

export const V1Summary = z
  .object({
    pending: z.number().int(), inProgress: z.number().int(), completed: z.number().int(), failed: z.number().int(),
    created: z.number().int(), retried: z.number().int(), total: z.number().int(),
  })
  .meta({ id: 'V1Summary' });
export type V1Summary = z.infer<typeof V1Summary>;

export const V1Task = z
  .object({
    id: Uuid, data: JsonValue, stageId: Uuid, userMetadata: JsonObject, creationTime: Timestamp, updateTime: Timestamp,
    startTime: Timestamp.optional(), endTime: Timestamp.optional(), status: z.enum(V1_TASK_STATUSES), attempts: z.number().int(),
    maxAttempts: z.number().int(), traceparent: z.string(), tracestate: z.string().optional(),
  })
  .meta({ id: 'V1Task' });
export type V1Task = z.infer<typeof V1Task>;

export const V1Stage = z
  .object({
    id: Uuid, type: z.string(), status: z.enum(V1_STAGE_STATUSES), percentage: z.number().int(), jobId: Uuid, order: z.number().int().min(1),
    data: JsonValue, userMetadata: JsonObject, summary: V1Summary, traceparent: z.string(), tracestate: z.string().optional(), tasks: z.array(V1Task).optional(),
  })
  .meta({ id: 'V1Stage' });
export type V1Stage = z.infer<typeof V1Stage>;

export const V1Job = z
  .object({
    id: Uuid, name: z.string(), status: z.enum(V1_JOB_STATUSES), percentage: z.number().int(), priority: Priority, creationTime: Timestamp, updateTime: Timestamp,
    data: JsonValue, userMetadata: JsonObject, traceparent: z.string(), tracestate: z.string().optional(), stages: z.array(V1Stage).optional(),
  })
  .meta({ id: 'V1Job' });
export type V1Job = z.infer<typeof V1Job>;

export const V1CreateJob = z
  .strictObject({ name: V1JobName, data: Obj, priority: Priority.default('MEDIUM'), userMetadata: Obj.optional(), traceparent: Traceparent.optional(), tracestate: Tracestate.optional() })
  .meta({ id: 'V1CreateJob' });
export const V1CreateStage = z
  .object({ type: V1StageType, data: Obj, userMetadata: Obj.optional(), startAsWaiting: z.boolean().optional(), traceparent: Traceparent.optional(), tracestate: Tracestate.optional() })
  .meta({ id: 'V1CreateStage' });
export const V1CreateTask = z
  .strictObject({ data: Obj, userMetadata: Obj.optional(), maxAttempts: z.number().int().min(1).max(1000).optional(), traceparent: Traceparent.optional(), tracestate: Tracestate.optional() })
  .meta({ id: 'V1CreateTask' });
export type V1CreateTask = z.infer<typeof V1CreateTask>;

const JobParams = z.strictObject({ jobId: Uuid });
const StageParams = z.strictObject({ stageId: Uuid });
const TaskParams = z.strictObject({ taskId: Uuid });
const From = Timestamp.optional().describe('creationTime from (inclusive)');
const End = Timestamp.optional().describe('creationTime until (inclusive)');

export const V1ListJobsQuery = z.object({ job_name: V1JobName.optional(), from_date: From, end_date: End, priority: Priority.optional(), should_return_stages: Flag.optional() });
export const V1ListStagesQuery = z.object({ job_id: Uuid.optional(), stage_type: V1StageType.optional(), stage_operation_status: z.enum(V1_STAGE_STATUSES).optional(), should_return_tasks: Flag.optional() });
export const V1ListTasksQuery = z.object({ stage_id: Uuid.optional(), stage_type: V1StageType.optional(), from_date: From, end_date: End, status: z.enum(V1_TASK_STATUSES).optional() });
const IncludeStages = z.object({ should_return_stages: Flag.optional() });
const IncludeTasks = z.object({ should_return_tasks: Flag.optional() });

const P = ['producer', 'admin'] as const;
const W = ['worker', 'admin'] as const;
const ANY = ['producer', 'worker', 'admin', 'viewer'] as const;
const T = 'v1';

/** Every route of their v0.2.1 document. */
export const v1Routes = {
  v1ListJobs: route({ method: 'GET', path: '/v1/jobs', operationId: 'findJobsV1', tag: T, roles: ANY, summary: 'Jobs by name, creation time and priority (a plain array)', query: V1ListJobsQuery, responses: { 200: z.array(V1Job) } }),
  v1CreateJob: route({ method: 'POST', path: '/v1/jobs', operationId: 'createJobV1', tag: T, roles: P, summary: 'Create a job (no stages yet; status PENDING)', body: V1CreateJob, responses: { 201: V1Job } }),
  v1GetJob: route({ method: 'GET', path: '/v1/jobs/:jobId', operationId: 'getJobByIdV1', tag: T, roles: ANY, summary: 'Get a job, with its stages when should_return_stages=true', params: JobParams, query: IncludeStages, responses: { 200: V1Job } }),
  v1DeleteJob: route({ method: 'DELETE', path: '/v1/jobs/:jobId', operationId: 'deleteJobV1', tag: T, roles: P, summary: 'Delete a finished job (400 JOB_NOT_IN_FINITE_STATE otherwise)', params: JobParams, responses: { 200: V1Ok } }),
  v1UpdateJobMetadata: route({ method: 'PATCH', path: '/v1/jobs/:jobId/user-metadata', operationId: 'updateUserMetadataV1', tag: T, roles: P, summary: "Replace a job's user metadata", params: JobParams, body: Obj, responses: { 200: V1Ok } }),
  v1UpdateJobPriority: route({ method: 'PATCH', path: '/v1/jobs/:jobId/priority', operationId: 'updateJobPriorityV1', tag: T, roles: P, summary: 'Change the priority (204 when it is already that)', params: JobParams, body: z.strictObject({ priority: Priority }), responses: { 200: V1Ok, 204: null } }),
  v1UpdateJobStatus: route({ method: 'PUT', path: '/v1/jobs/:jobId/status', operationId: 'updateStatusV1', tag: T, roles: P, summary: 'PAUSED (suspend), PENDING (resume) or ABORTED (cancel)', params: JobParams, body: z.strictObject({ status: z.enum(['PENDING', 'ABORTED', 'PAUSED']) }), responses: { 200: V1Ok } }),
  v1ListJobStages: route({ method: 'GET', path: '/v1/jobs/:jobId/stages', operationId: 'getStagesByJobIdV1', tag: T, roles: ANY, summary: "A job's stages in order", params: JobParams, query: IncludeTasks, responses: { 200: z.array(V1Stage) } }),
  v1AddStage: route({ method: 'POST', path: '/v1/jobs/:jobId/stage', operationId: 'addStageV1', tag: T, roles: P, summary: 'Append a stage (startAsWaiting holds it until PUT /v1/stages/{id}/status PENDING)', params: JobParams, body: V1CreateStage, responses: { 201: V1Stage } }),
  v1ListStages: route({ method: 'GET', path: '/v1/stages', operationId: 'getStagesV1', tag: T, roles: ANY, summary: 'Stages by job, type and status', query: V1ListStagesQuery, responses: { 200: z.array(V1Stage) } }),
  v1GetStage: route({ method: 'GET', path: '/v1/stages/:stageId', operationId: 'getStageByIdV1', tag: T, roles: ANY, summary: 'Get a stage', params: StageParams, query: IncludeTasks, responses: { 200: V1Stage } }),
  v1GetStageSummary: route({ method: 'GET', path: '/v1/stages/:stageId/summary', operationId: 'getStageSummaryV1', tag: T, roles: ANY, summary: "Counts of a stage's tasks by their status", params: StageParams, responses: { 200: V1Summary } }),
  v1UpdateStageMetadata: route({ method: 'PATCH', path: '/v1/stages/:stageId/user-metadata', operationId: 'updateStageUserMetadataV1', tag: T, roles: P, summary: "Replace a stage's user metadata", params: StageParams, body: Obj, responses: { 200: V1Ok } }),
  v1UpdateStageStatus: route({ method: 'PUT', path: '/v1/stages/:stageId/status', operationId: 'updateStageStatusV1', tag: T, roles: P, summary: 'PENDING: release a stage created with startAsWaiting', params: StageParams, body: z.strictObject({ status: z.enum(['PENDING']) }), responses: { 200: V1Ok } }),
  v1ListStageTasks: route({ method: 'GET', path: '/v1/stages/:stageId/tasks', operationId: 'getTasksByStageIdV1', tag: T, roles: ANY, summary: "A stage's tasks", params: StageParams, responses: { 200: z.array(V1Task) } }),
  v1AddTasks: route({ method: 'POST', path: '/v1/stages/:stageId/tasks', operationId: 'addTasksV1', tag: T, roles: P, summary: 'Append tasks to a stage that has not started', params: StageParams, body: z.array(V1CreateTask), responses: { 201: z.array(V1Task) } }),
  v1Dequeue: route({ method: 'PATCH', path: '/v1/stages/:stageType/tasks/dequeue', operationId: 'dequeueTaskV1', tag: T, roles: W, summary: 'Lease the best ready task of a stage type (404 TASK_NOT_FOUND when none)', params: z.strictObject({ stageType: V1StageType }), responses: { 200: V1Task } }),
  v1ListTasks: route({ method: 'GET', path: '/v1/tasks', operationId: 'getTasksByCriteriaV1', tag: T, roles: ANY, summary: 'Tasks by stage, stage type, creation time and status', query: V1ListTasksQuery, responses: { 200: z.array(V1Task) } }),
  v1GetTask: route({ method: 'GET', path: '/v1/tasks/:taskId', operationId: 'getTaskByIdV1', tag: T, roles: ANY, summary: 'Get a task', params: TaskParams, responses: { 200: V1Task } }),
  v1UpdateTaskMetadata: route({ method: 'PATCH', path: '/v1/tasks/:taskId/user-metadata', operationId: 'updateTaskUserMetadataV1', tag: T, roles: ['producer', 'worker', 'admin'], summary: "Replace a task's user metadata", params: TaskParams, body: Obj, responses: { 200: V1Ok } }),
  v1UpdateTaskStatus: route({ method: 'PUT', path: '/v1/tasks/:taskId/status', operationId: 'updateTaskStatusV1', tag: T, roles: W, summary: 'COMPLETED or FAILED, by task id (no lease token: see the /v1 lease rule)', params: TaskParams, body: z.strictObject({ status: z.enum(['COMPLETED', 'FAILED']) }), responses: { 200: V1Task } }),
} as const;

export type V1Routes = typeof v1Routes;
export type V1RouteName = keyof V1Routes;
