// Queues (one per tenant and stage type) and the dequeue exchange that leases tasks to workers.
import { z } from 'zod';
import { JsonObject, JsonValue, Name, queryNumber, TenantId, Timestamp, Uuid, wholeNumber } from './common.js';
import { Priority } from './enums.js';

export const QueueDepth = z
  .object({
    waiting: z.number().int().describe('Tasks whose stage is not open yet'),
    ready: z.number().int().describe('PENDING and runAfter has passed'),
    delayed: z.number().int().describe('PENDING with runAfter in the future (delayed start or retry backoff)'),
    inProgress: z.number().int(),
    paused: z.number().int(),
  })
  .meta({ id: 'QueueDepth' });

export const QueueRateLimit = z
  .object({ limit: z.number().int(), periodMs: z.number().int(), burst: z.number().int() })
  .meta({ id: 'QueueRateLimit' });

export const Queue = z
  .object({
    tenantId: TenantId,
    name: z.string().describe('The stage type'),
    paused: z.boolean(),
    maxInFlight: z.number().int().nullable().describe('Most tasks of this queue running at once across all workers; null = unlimited'),
    weight: z.number().describe('Share of the stage type\'s leases when several tenants have ready work at one priority (default 1)'),
    agingMs: z.number().int().nullable().describe('Priority aging: a ready task counts one priority level higher per agingMs it waits; null = strict priority'),
    group: z.string().nullable().describe('Job group of the stage type (its capacity is shared with the group\'s other stage types)'),
    rateLimit: QueueRateLimit.nullable().describe('Rate limit of the stage type, shared by every tenant'),
    tenantRateLimit: QueueRateLimit.nullable().describe('Rate limit of this tenant in the stage type'),
    depth: QueueDepth,
    oldestReadyAt: Timestamp.nullable(),
  })
  .meta({ id: 'Queue' });
export type Queue = z.infer<typeof Queue>;

export const QueueList = z
  .object({
    items: z.array(Queue).describe('By tenant, then stage type'),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page (always null without `limit`)'),
  })
  .meta({ id: 'QueueList' });

export const QueueParams = z.strictObject({ stageType: Name });
export const QueueQuery = z.strictObject({ tenantId: TenantId.optional() });

export const ListQueuesQuery = z.strictObject({
  tenantId: TenantId.optional(),
  stageType: Name.optional().describe('Only the queues of this stage type (one per tenant)'),
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('true: only queues with work that has not ended (an open stage: its waiting, ready, delayed, running or paused tasks); the queue of a tenant done with a stage type stays, idle'),
  limit: queryNumber(wholeNumber(1, 1000).optional()).describe('Page size; without it, every matching queue in one answer'),
  cursor: z.string().max(512).optional().describe('Opaque cursor from the previous page'),
});
export type ListQueuesQuery = z.input<typeof ListQueuesQuery>;

export const UpdateQueueRequest = z
  .strictObject({
    paused: z.boolean().optional(),
    maxInFlight: z.number().int().min(1).max(1_000_000).nullable().optional(),
    weight: z.number().min(0.01).max(10_000).optional().describe('Share among tenants of the stage type (default 1): weight 3 gets 3 leases for each 1 of a weight-1 tenant when both have ready work'),
    agingMs: z.number().int().min(1).max(604_800_000).nullable().optional().describe('Priority aging (null = off): a ready task rises one priority level per agingMs it waits'),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'give paused, maxInFlight, weight and/or agingMs')
  .meta({ id: 'UpdateQueueRequest' });
export type UpdateQueueRequest = z.input<typeof UpdateQueueRequest>;

export const DequeueRequest = z
  .strictObject({
    workerId: Name.describe('Stable id of the worker process'),
    max: z.number().int().min(1).max(1000).default(1).describe('Most tasks to hand out'),
    waitMs: z.number().int().min(0).max(60_000).default(0).describe('Long-poll: wait up to this long for a task when none is ready'),
    leaseMs: z.number().int().min(1000).max(3_600_000).optional().describe('Lease length; heartbeats extend it (default from the manager config)'),
    stageTypes: z.array(Name).min(1).max(32).optional().describe('Only on /dequeue: the stage types to take from'),
    tenantId: TenantId.optional().describe('Only this tenant\'s tasks (default: every tenant the caller may see)'),
    quietOnly: z
      .boolean()
      .default(false)
      .describe(
        'Only from quiet queues: a (tenant, stage type) with ready tasks and none in progress. For a slot a worker keeps so that a tenant with nothing running starts at once while its other slots are busy with other tenants\' backlogs',
      ),
  })
  .meta({ id: 'DequeueRequest' });
export type DequeueRequest = z.input<typeof DequeueRequest>;
/** The body of POST /queues/{stageType}/dequeue: the stage type is the path's (a stageTypes field is refused, not ignored). */
export const QueueDequeueRequest = DequeueRequest.omit({ stageTypes: true }).meta({ id: 'QueueDequeueRequest' });

/** A task handed to a worker: what the handler needs, plus the lease token that fences its acks. */
export const LeasedTask = z
  .object({
    id: Uuid,
    jobId: Uuid,
    stageId: Uuid,
    stageType: z.string(),
    priority: Priority,
    data: JsonValue,
    userMetadata: JsonObject,
    attempts: z.number().int().describe('This is attempt number `attempts` (1-based)'),
    maxAttempts: z.number().int(),
    timeoutMs: z.number().int().nullable(),
    checkpoint: JsonValue.nullable().describe('Last checkpoint saved by a previous attempt'),
    leaseToken: Uuid,
    leaseExpiresAt: Timestamp,
  })
  .meta({ id: 'LeasedTask' });
export type LeasedTask = z.infer<typeof LeasedTask>;

export const JobContext = z
  .object({
    id: Uuid,
    tenantId: TenantId,
    name: z.string(),
    priority: Priority,
    data: JsonValue,
    userMetadata: JsonObject,
    traceparent: z.string().nullable(),
    tracestate: z.string().nullable(),
  })
  .meta({ id: 'JobContext' });
export type JobContext = z.infer<typeof JobContext>;

export const StageContext = z
  .object({
    id: Uuid,
    jobId: Uuid,
    order: z.number().int(),
    type: z.string(),
    data: JsonValue,
    userMetadata: JsonObject,
  })
  .meta({ id: 'StageContext' });
export type StageContext = z.infer<typeof StageContext>;

export const DequeueResponse = z
  .object({
    tasks: z.array(LeasedTask),
    jobs: z.array(JobContext).describe('Each job referenced by the tasks, once'),
    stages: z.array(StageContext).describe('Each stage referenced by the tasks, once'),
    heldMs: z
      .number()
      .int()
      .optional()
      .describe('How long the manager held the request (long-poll) before it leased the tasks. With leaseMs, the worker dates the leases on its own monotonic clock (its send time + heldMs + leaseMs is never later than the real expiry), so an answer read late (a frozen process) is seen to have lapsed without trusting clock sync'),
    leaseMs: z.number().int().optional().describe('The lease each task got, counted from when it was leased'),
  })
  .meta({ id: 'DequeueResponse' });
export type DequeueResponse = z.infer<typeof DequeueResponse>;
