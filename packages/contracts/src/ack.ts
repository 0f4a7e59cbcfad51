// Batched acknowledgements from workers: complete, fail, release, and the heartbeat. All fenced by lease token.
import { z } from 'zod';
import { JsonValue, Name, Timestamp, Uuid } from './common.js';
import { Directive, TaskStatus } from './enums.js';

const Fenced = { taskId: Uuid, leaseToken: Uuid };
const MAX_BATCH = 1000;

export const CompleteTasksRequest = z
  .strictObject({
    items: z.array(z.strictObject({ ...Fenced, result: JsonValue.optional() })).min(1).max(MAX_BATCH),
  })
  .meta({ id: 'CompleteTasksRequest' });
export type CompleteTasksRequest = z.input<typeof CompleteTasksRequest>;

export const FailureInput = z.strictObject({
  message: z.string().max(8192),
  code: z.string().max(128).optional(),
  stack: z.string().max(32_768).optional(),
  retryable: z.boolean().default(true).describe('false fails the task now, whatever attempts are left'),
});

export const FailTasksRequest = z
  .strictObject({
    items: z
      .array(z.strictObject({ ...Fenced, error: FailureInput, checkpoint: JsonValue.optional() }))
      .min(1)
      .max(MAX_BATCH),
  })
  .meta({ id: 'FailTasksRequest' });
export type FailTasksRequest = z.input<typeof FailTasksRequest>;

export const ReleaseTasksRequest = z
  .strictObject({
    items: z.array(z.strictObject({ ...Fenced, checkpoint: JsonValue.optional() })).min(1).max(MAX_BATCH),
  })
  .meta({ id: 'ReleaseTasksRequest', description: 'Give tasks back unfinished (worker shutting down): PENDING at once, the attempt not counted.' });
export type ReleaseTasksRequest = z.input<typeof ReleaseTasksRequest>;

export const AckOutcome = z
  .object({
    taskId: Uuid,
    ok: z.boolean(),
    code: z
      .enum(['LEASE_LOST', 'TASK_NOT_FOUND', 'TASK_NOT_RUNNING', 'ALREADY_COMPLETED'])
      .optional()
      .describe('Why the item was not applied. ALREADY_COMPLETED: the task was completed earlier with another result, which stays; this item\'s result was not stored'),
    status: TaskStatus.optional().describe('The task\'s status after this call'),
    runAfter: Timestamp.optional().describe('On fail: when the retry becomes due'),
  })
  .meta({ id: 'AckOutcome' });
export type AckOutcome = z.infer<typeof AckOutcome>;

export const AckResponse = z
  .object({ items: z.array(AckOutcome).describe('One per request item, same order') })
  .meta({ id: 'AckResponse' });
export type AckResponse = z.infer<typeof AckResponse>;

export const HeartbeatRequest = z
  .strictObject({
    stageTypes: z.array(Name).max(32).optional().describe('What the worker handles (shown on the dashboard)'),
    leaseMs: z.number().int().min(1000).max(3_600_000).optional(),
    tasks: z
      .array(
        z.strictObject({
          ...Fenced,
          progress: z.number().min(0).max(1).optional(),
          checkpoint: JsonValue.optional(),
        }),
      )
      .max(MAX_BATCH)
      .default([]),
  })
  .meta({ id: 'HeartbeatRequest' });
export type HeartbeatRequest = z.input<typeof HeartbeatRequest>;

export const HeartbeatResponse = z
  .object({
    tasks: z.array(
      z.object({ taskId: Uuid, directive: Directive, leaseExpiresAt: Timestamp.nullable() }),
    ),
  })
  .meta({ id: 'HeartbeatResponse' });
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

export const WorkerParams = z.strictObject({ workerId: Name });

export const Worker = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    stageTypes: z.array(z.string()),
    inFlight: z.number().int(),
    lastSeenAt: Timestamp,
    firstSeenAt: Timestamp,
  })
  .meta({ id: 'Worker' });
export type Worker = z.infer<typeof Worker>;
export const WorkerList = z.object({ items: z.array(Worker) }).meta({ id: 'WorkerList' });
