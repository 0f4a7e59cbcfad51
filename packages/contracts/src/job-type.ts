// Job types: optional registered definitions per job name with defaults and a JSON Schema for `data`.
import { z } from 'zod';
import { JsonObject, Name, Timestamp } from './common.js';
import { Priority } from './enums.js';
import { TaskSettings } from './task.js';

export const JobTypeDefaults = z
  .strictObject({
    priority: Priority.optional(),
    retentionDays: z.number().min(0).max(3650).optional().describe('Delete finished jobs of this type after this many days'),
  })
  .extend(TaskSettings.shape)
  .meta({ id: 'JobTypeDefaults', description: 'Applied when a job of this name leaves them out (task settings: when its stages and tasks do).' });

export const PutJobTypeRequest = z
  .strictObject({
    description: z.string().max(1024).optional(),
    defaults: JobTypeDefaults.optional(),
    dataSchema: JsonObject.optional().describe('JSON Schema (draft 2020-12) that a job\'s `data` must satisfy'),
  })
  .meta({ id: 'PutJobTypeRequest' });
export type PutJobTypeRequest = z.input<typeof PutJobTypeRequest>;

export const JobType = z
  .object({
    tenantId: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    defaults: JobTypeDefaults,
    dataSchema: JsonObject.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'JobType' });
export type JobType = z.infer<typeof JobType>;
export const JobTypeList = z.object({ items: z.array(JobType) }).meta({ id: 'JobTypeList' });
export const JobTypeParams = z.strictObject({ name: Name });
