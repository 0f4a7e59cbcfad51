// Job: the root of the tree. Entity, creation and update input, list filters.
import { z } from 'zod';
import { JsonObject, JsonValue, Name, Pagination, TenantId, Timestamp, Uuid, csvOf, page } from './common.js';
import { JOB_SORTS, JOB_STATUSES, JobStatus, PRIORITIES, Priority } from './enums.js';
import { CreateStage, Stage, TaskSummary } from './stage.js';
import { WebhookSubscription } from './webhook.js';

export const CreateJobRequest = z
  .strictObject({
    name: Name.describe('The job kind, e.g. tile-export'),
    tenantId: TenantId.optional().describe('Defaults to the caller\'s tenant'),
    priority: Priority.optional().describe('Default: the job type\'s, else MEDIUM'),
    data: JsonValue.optional(),
    userMetadata: JsonObject.optional(),
    idempotencyKey: z.string().min(1).max(256).optional().describe('A repeat with the same key returns the existing job'),
    parallelStages: z.boolean().default(false).describe('Run all stages at once instead of in order'),
    expiresAt: Timestamp.optional().describe('Delete the job (once finished) after this time'),
    timeoutMs: z
      .number()
      .int()
      .min(1000)
      .max(86_400_000 * 24) // stored as a 32-bit integer: 24 days is the largest whole number of days that fits
      .optional()
      .describe('The job fails with reason TIMEOUT when it is not finished this long after its creation (at most 24 days); its running tasks are told to stop'),
    stages: z.array(CreateStage).max(100).optional(),
    webhooks: z.array(WebhookSubscription).max(10).optional().describe('URLs to tell about this job\'s events'),
  })
  .meta({ id: 'CreateJobRequest' });
export type CreateJobRequest = z.input<typeof CreateJobRequest>;

export const Job = z
  .object({
    id: Uuid,
    tenantId: TenantId,
    name: z.string(),
    priority: Priority,
    status: JobStatus,
    data: JsonValue,
    userMetadata: JsonObject,
    percentage: z.number().min(0).max(100).describe('⌊100 · (completed + Σ progress of running tasks) / total⌋; 100 once COMPLETED'),
    etaMs: z.number().int().nullable().describe('Estimated milliseconds until done, at the throughput observed since it started (null before work is seen, and once final)'),
    summary: TaskSummary,
    idempotencyKey: z.string().nullable(),
    parallelStages: z.boolean(),
    traceparent: z.string().nullable(),
    tracestate: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    expiresAt: Timestamp.nullable(),
    timeoutMs: z.number().int().nullable().describe('Job-level timeout (from creation)'),
    error: z
      .object({ code: z.string(), message: z.string() })
      .nullable()
      .describe('Why the manager ended the job, e.g. { code: TIMEOUT } past its timeoutMs; null otherwise'),
    webhooks: z
      .array(z.object({ url: z.string(), events: z.array(z.string()).nullable(), headers: z.array(z.string()).optional().describe('Names of its custom headers') }))
      .describe('Subscriptions (secrets and header values are never returned)'),
    stages: z.array(Stage).optional(),
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof Job>;

export const UpdateJobRequest = z
  .strictObject({
    userMetadata: JsonObject.optional(),
    priority: Priority.optional().describe('Also reorders the job\'s tasks that are not yet running'),
    expiresAt: Timestamp.nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'give at least one field to change')
  .meta({ id: 'UpdateJobRequest' });
export type UpdateJobRequest = z.input<typeof UpdateJobRequest>;


export const ListJobsQuery = Pagination.extend({
  status: csvOf(JOB_STATUSES).optional(),
  name: Name.optional(),
  priority: csvOf(PRIORITIES).optional(),
  tenantId: TenantId.optional(),
  createdAfter: Timestamp.optional(),
  createdBefore: Timestamp.optional(),
  sort: z.enum(JOB_SORTS).default('-createdAt'),
});
export type ListJobsQuery = z.input<typeof ListJobsQuery>;

export const JobPage = page(Job, 'JobPage');
export type JobPage = z.infer<typeof JobPage>;

export const GetJobQuery = z.strictObject({
  include: z
    .string()
    .max(64)
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(['stages', 'tasks'])))
    .optional()
    .describe('stages, or stages,tasks (tasks are capped at 10,000 per stage; page through /tasks for more)'),
});

export const JobIdParams = z.strictObject({ jobId: Uuid });
export const StageIdParams = z.strictObject({ stageId: Uuid });
export const TaskIdParams = z.strictObject({ taskId: Uuid });
