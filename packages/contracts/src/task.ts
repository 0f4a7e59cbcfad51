// Task: the unit a worker executes. Entity, creation input and read filters.
import { z } from 'zod';
import { JsonObject, JsonValue, Name, Pagination, TenantId, Timestamp, Uuid, csvOf, page } from './common.js';
import { Priority, TASK_STATUSES, TaskStatus } from './enums.js';

export const Backoff = z
  .strictObject({
    baseMs: z.number().int().min(0).max(86_400_000).default(1000).describe('Delay before the first retry'),
    maxMs: z.number().int().min(0).max(604_800_000).default(300_000).describe('Cap on the delay'),
    jitter: z.number().min(0).max(1).default(0.2).describe('Fraction of the delay that is randomized: the delay is drawn from [(1 - jitter) * d, d]'),
  })
  .meta({ id: 'Backoff', description: 'Retry delay: min(maxMs, baseMs * 2^(attempt - 1)), randomized by jitter.' });
export type Backoff = z.infer<typeof Backoff>;

export const TaskError = z
  .object({
    message: z.string().max(8192),
    code: z.string().max(128).optional(),
    stack: z.string().max(32_768).optional(),
    at: Timestamp.optional(),
  })
  .meta({ id: 'TaskError', description: 'The last failure: a handler error, LEASE_EXPIRED or TIMEOUT.' });
export type TaskError = z.infer<typeof TaskError>;

/** Per-task execution settings; a stage's `taskDefaults` fill the ones a task leaves out. */
export const TaskSettings = z.strictObject({
  maxAttempts: z.number().int().min(1).max(1000).optional().describe('Attempts before the task fails for good (default 3)'),
  backoff: Backoff.partial().optional(),
  timeoutMs: z.number().int().min(100).max(86_400_000 * 7).nullable().optional().describe('Run time after which a running task is treated as failed'),
});
export type TaskSettings = z.infer<typeof TaskSettings>;

export const CreateTask = TaskSettings.extend({
  data: JsonValue.optional().describe('Input for the handler'),
  userMetadata: JsonObject.optional(),
  runAfter: Timestamp.optional().describe('Not handed out before this time'),
}).meta({ id: 'CreateTask' });
export type CreateTask = z.input<typeof CreateTask>;

export const ATTEMPT_OUTCOMES = ['COMPLETED', 'FAILED', 'RELEASED', 'LEASE_EXPIRED', 'TIMEOUT', 'SUSPENDED', 'ABORTED'] as const;

export const TaskAttempt = z
  .object({
    number: z.number().int().describe('1 for the first attempt'),
    workerId: z.string().nullable().describe('The worker that held the lease'),
    leaseStartedAt: Timestamp.nullable(),
    leaseEndedAt: Timestamp.nullable().describe('null while the attempt runs'),
    outcome: z.enum([...ATTEMPT_OUTCOMES, 'RUNNING']).describe('How the attempt ended (RUNNING: it has not)'),
    error: TaskError.nullable().describe("This attempt's error (a later attempt's success does not erase it)"),
    durationMs: z.number().int().nullable(),
  })
  .meta({ id: 'TaskAttempt', description: "One attempt of a task: who ran it, when, and how it ended." });
export type TaskAttempt = z.infer<typeof TaskAttempt>;

export const TaskLease = z
  .object({ workerId: z.string(), expiresAt: Timestamp })
  .meta({ id: 'TaskLease', description: 'Who holds the task and until when (the token is only given to the holder).' });

export const Task = z
  .object({
    id: Uuid,
    jobId: Uuid,
    stageId: Uuid,
    tenantId: TenantId,
    stageType: z.string(),
    priority: Priority,
    status: TaskStatus,
    data: JsonValue,
    userMetadata: JsonObject,
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    backoff: Backoff,
    timeoutMs: z.number().int().nullable(),
    runAfter: Timestamp,
    lease: TaskLease.nullable(),
    progress: z.number().min(0).max(1),
    checkpoint: JsonValue.nullable(),
    result: JsonValue.nullable(),
    error: TaskError.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    attemptHistory: z.array(TaskAttempt).optional().describe('Every attempt, oldest first (GET /tasks/{taskId} only)'),
  })
  .meta({ id: 'Task' });
export type Task = z.infer<typeof Task>;

export const TaskPage = page(Task, 'TaskPage');
export type TaskPage = z.infer<typeof TaskPage>;

export const ListTasksQuery = Pagination.extend({
  jobId: Uuid.optional(),
  stageId: Uuid.optional(),
  stageType: Name.optional(),
  status: csvOf(TASK_STATUSES).optional(),
  tenantId: TenantId.optional(),
});
export type ListTasksQuery = z.input<typeof ListTasksQuery>;

export const AddTasksRequest = z
  .strictObject({
    tasks: z.array(CreateTask).min(1),
    idempotencyKey: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('Per stage: a repeat with the same key and tasks answers 200 with the ids of the tasks the first added (none are added again); with other tasks, 409 IDEMPOTENCY_CONFLICT'),
  })
  .meta({ id: 'AddTasksRequest' });
export type AddTasksRequest = z.input<typeof AddTasksRequest>;

export const AddTasksResponse = z
  .object({ stageId: Uuid, created: z.number().int(), taskIds: z.array(Uuid) })
  .meta({ id: 'AddTasksResponse', description: 'Ids in the order the tasks were given.' });
export type AddTasksResponse = z.infer<typeof AddTasksResponse>;
