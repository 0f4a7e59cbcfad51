// The directives long-poll: the push path by which cancel and suspend reach a running handler at once,
// instead of at its next heartbeat. The worker parks one request listing the leases it holds; the manager
// answers as soon as one of them (or any task leased to this worker since) is cancelled or suspended.
import { z } from 'zod';
import { Uuid } from './common.js';

export const DirectivesRequest = z
  .strictObject({
    tasks: z
      .array(z.strictObject({ taskId: Uuid, leaseToken: Uuid }))
      .max(1000)
      .describe('The leases the worker holds now (tasks it leases later are covered too, by its workerId)'),
    waitMs: z.number().int().min(0).max(60_000).default(0).describe('Long-poll: wait up to this long for a directive'),
  })
  .meta({ id: 'DirectivesRequest' });
export type DirectivesRequest = z.input<typeof DirectivesRequest>;

export const DirectivesResponse = z
  .object({
    tasks: z
      .array(z.object({ taskId: Uuid, directive: z.enum(['cancel', 'suspend']) }))
      .describe('Tasks of this worker cancelled or suspended while it runs them; empty when waitMs passed without any (or the manager is shutting down)'),
  })
  .meta({ id: 'DirectivesResponse' });
export type DirectivesResponse = z.infer<typeof DirectivesResponse>;
