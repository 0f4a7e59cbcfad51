// System-wide numbers for the dashboard and for people: counts, ages, throughput.
import { z } from 'zod';
import { TenantId, Timestamp } from './common.js';

const CountsByStatus = z.record(z.string(), z.number().int()).describe('status → count');

export const Stats = z
  .object({
    generatedAt: Timestamp,
    jobsByName: z.array(z.object({ name: z.string(), counts: CountsByStatus })),
    tasksByStageType: z.array(z.object({ stageType: z.string(), counts: CountsByStatus })),
    oldestReadyAgeMs: z.number().nullable().describe('Age of the oldest task that is ready and not yet taken'),
    throughput: z.object({
      completedLastMinute: z.number().int(),
      failedLastMinute: z.number().int(),
      completedPerSecond: z.array(z.number().int()).describe('Completions in each of the last 60 seconds, oldest first'),
    }),
    failuresLastHour: z.number().int().describe('Tasks that failed for good in the last hour'),
  })
  .meta({ id: 'Stats' });
export type Stats = z.infer<typeof Stats>;

export const StatsQuery = z.strictObject({ tenantId: TenantId.optional() });
