// Stage: an ordered step of a job whose `type` is the queue workers subscribe to.
import { z } from 'zod';
import { JsonObject, JsonValue, Name, Timestamp, Uuid } from './common.js';
import { StageStatus } from './enums.js';
import { CreateTask, Task, TaskSettings } from './task.js';

export const TaskSummary = z
  .object({
    waiting: z.number().int(),
    pending: z.number().int(),
    inProgress: z.number().int(),
    paused: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int(),
    aborted: z.number().int(),
    total: z.number().int(),
  })
  .meta({ id: 'TaskSummary', description: 'Count of tasks by status.' });
export type TaskSummary = z.infer<typeof TaskSummary>;

export const CreateStage = z
  .strictObject({
    type: Name.describe('Queue name workers subscribe to, e.g. tile-render'),
    data: JsonValue.optional(),
    userMetadata: JsonObject.optional(),
    failFast: z.boolean().default(true).describe('true: the first task that fails for good fails the stage and aborts the rest. false: every task runs; the stage fails at the end if any failed.'),
    taskDefaults: TaskSettings.optional().describe('Settings for tasks that leave them out'),
    tasks: z.array(CreateTask).optional(),
    hold: z
      .boolean()
      .optional()
      .describe(
        'Keep the stage WAITING — none of its tasks handed out, however the stages before it end — until POST /stages/{stageId}/release: add its tasks over several requests (more than one request may carry, or as they are produced) without workers finishing the stage between two of them',
      ),
  })
  .meta({ id: 'CreateStage' });
export type CreateStage = z.input<typeof CreateStage>;

/** POST /jobs/{jobId}/stages: a stage of its own, appended after the job's last. */
export const AddStageRequest = CreateStage.extend({
  idempotencyKey: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe('Per job: a repeat with the same key and stage answers 200 with the stage the first call added (none is added again); with another stage, 409 IDEMPOTENCY_CONFLICT'),
}).meta({ id: 'AddStageRequest' });
export type AddStageRequest = z.input<typeof AddStageRequest>;

export const Stage = z
  .object({
    id: Uuid,
    jobId: Uuid,
    order: z.number().int(),
    type: z.string(),
    status: StageStatus,
    data: JsonValue,
    userMetadata: JsonObject,
    failFast: z.boolean(),
    held: z.boolean().describe('Created with hold and not released yet: WAITING until POST /stages/{stageId}/release'),
    taskDefaults: TaskSettings,
    summary: TaskSummary,
    percentage: z.number().min(0).max(100).describe('⌊100 · (completed + Σ progress of running tasks) / total⌋; 100 once COMPLETED'),
    etaMs: z.number().int().nullable().describe('Estimated milliseconds until done, at the throughput observed since it started (null before work is seen, and once final)'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    tasks: z.array(Task).optional(),
  })
  .meta({ id: 'Stage' });
export type Stage = z.infer<typeof Stage>;
