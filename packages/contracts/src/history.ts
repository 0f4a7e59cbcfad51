// History: the append-only record of a job's transitions and of its tasks' attempts.
import { z } from 'zod';
import { JsonValue, Pagination, Timestamp, Uuid, page } from './common.js';
import { TaskAttempt } from './task.js';

export const HistoryEntry = z
  .object({
    seq: z.number().int().describe('Position in the global history order (also the id of its server-sent event)'),
    kind: z.enum(['job', 'stage', 'attempt']).describe('A job or stage transition, or an ended task attempt'),
    at: Timestamp,
    jobId: Uuid,
    stageId: Uuid.nullable(),
    taskId: Uuid.nullable(),
    from: z.string().nullable().describe('Status before (null: the job was created)'),
    to: z.string().describe('Status after (for an attempt: the task status it left the task in)'),
    actor: z
      .string()
      .describe('Who or what caused it: key:<API key name>, anonymous (auth off), worker:<id>, sweeper, timeout, schedule:<id>'),
    reason: JsonValue.nullable(),
    attempt: TaskAttempt.nullable(),
  })
  .meta({ id: 'HistoryEntry' });
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const HistoryPage = page(HistoryEntry, 'HistoryPage');
export type HistoryPage = z.infer<typeof HistoryPage>;

export const HistoryQuery = Pagination;

export const EventStreamQuery = z.strictObject({
  lastEventId: z
    .string()
    .regex(/^\d{1,15}$/, 'an event id: the digits of an `id:` this stream sent')
    .transform(Number)
    .optional()
    .describe('Resume after this event id (the Last-Event-ID header wins); without either, the stream starts with what happens next'),
});
