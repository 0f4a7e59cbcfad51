// Cron schedules: a job template created on each fire time, exactly once across replicas.
import { z } from 'zod';
import { page, pageQuery, TenantId, Timestamp, Uuid } from './common.js';
import { CreateJobRequest } from './job.js';

export const CATCH_UP_POLICIES = ['all', 'latest', 'none'] as const;

const ScheduleFields = {
  cron: z.string().min(1).max(128).describe('Cron expression, 5 fields (minute precision) or 6 (seconds first)'),
  timezone: z.string().min(1).max(64).default('UTC').describe('IANA time zone the expression is read in'),
  enabled: z.boolean().default(true),
  catchUp: z.enum(CATCH_UP_POLICIES).default('latest').describe('Fire times missed while no manager ran: all (oldest first, up to catchUpLimit), latest (one job), none'),
  catchUpLimit: z.number().int().min(1).max(1000).default(100),
  jobTemplate: CreateJobRequest.omit({ idempotencyKey: true, tenantId: true }).describe('The job to create on every fire'),
};

export const CreateScheduleRequest = z
  .strictObject({ name: z.string().min(1).max(128), tenantId: TenantId.optional(), ...ScheduleFields })
  .meta({ id: 'CreateScheduleRequest' });
export type CreateScheduleRequest = z.input<typeof CreateScheduleRequest>;

export const UpdateScheduleRequest = z
  .strictObject({
    cron: ScheduleFields.cron.optional(),
    timezone: z.string().min(1).max(64).optional(),
    enabled: z.boolean().optional(),
    catchUp: z.enum(CATCH_UP_POLICIES).optional(),
    catchUpLimit: z.number().int().min(1).max(1000).optional(),
    jobTemplate: ScheduleFields.jobTemplate.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'give at least one field to change')
  .meta({ id: 'UpdateScheduleRequest' });
export type UpdateScheduleRequest = z.input<typeof UpdateScheduleRequest>;

export const Schedule = z
  .object({
    id: Uuid,
    tenantId: z.string(),
    name: z.string(),
    cron: z.string(),
    timezone: z.string(),
    enabled: z.boolean(),
    catchUp: z.enum(CATCH_UP_POLICIES),
    catchUpLimit: z.number().int(),
    jobTemplate: z.record(z.string(), z.unknown()).describe('The job created on every fire; its webhooks shown as a job shows them (header names, never a secret or a header value)'),
    nextFireAt: Timestamp.nullable(),
    lastFireAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Schedule' });
export type Schedule = z.infer<typeof Schedule>;
export const ScheduleList = page(Schedule, 'ScheduleList');
export const ListSchedulesQuery = pageQuery('by name, then id');
export type ListSchedulesQuery = z.input<typeof ListSchedulesQuery>;
export const ScheduleParams = z.strictObject({ scheduleId: Uuid });
