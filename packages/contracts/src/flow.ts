// Flow control: job groups (queue classes) with capacities and rate limits per stage type (optionally per tenant).
// Queue weights (per-tenant fair sharing) and priority aging are queue settings (queue.ts).
import { z } from 'zod';
import { Name, TenantId, Timestamp } from './common.js';
import { route } from './route.js';

const Source = z.enum(['config', 'api']).describe('config: declared in the manager configuration (read-only over the API); api: set over the API');

export const QueueGroup = z
  .object({
    name: z.string(),
    maxInFlight: z.number().int().describe('Most tasks of all the group\'s stage types running at once, all tenants, across every replica'),
    stageTypes: z.array(z.string()).describe('Stage types that belong to the group (a stage type belongs to at most one)'),
    inFlight: z.number().int().describe('Tasks of the group running now'),
    source: Source,
    updatedAt: Timestamp,
  })
  .meta({ id: 'QueueGroup' });
export type QueueGroup = z.infer<typeof QueueGroup>;
export const QueueGroupList = z.object({ items: z.array(QueueGroup) }).meta({ id: 'QueueGroupList' });
export const QueueGroupParams = z.strictObject({ name: Name });

export const PutQueueGroupRequest = z
  .strictObject({
    maxInFlight: z.number().int().min(1).max(1_000_000),
    stageTypes: z.array(Name).max(256).default([]).describe('Stage types of the group; each leaves the group it was in. Replaces the group\'s list'),
  })
  .meta({ id: 'PutQueueGroupRequest' });
export type PutQueueGroupRequest = z.input<typeof PutQueueGroupRequest>;

export const RateLimit = z
  .object({
    stageType: z.string(),
    tenantId: z.string().nullable().describe('null: the limit is shared by every tenant of the stage type; otherwise this tenant\'s own limit (both apply)'),
    limit: z.number().int().describe('Task starts allowed per period'),
    periodMs: z.number().int(),
    burst: z.number().int().describe('Starts allowed back to back'),
    source: Source,
    updatedAt: Timestamp,
  })
  .meta({ id: 'RateLimit' });
export type RateLimit = z.infer<typeof RateLimit>;
export const RateLimitList = z.object({ items: z.array(RateLimit) }).meta({ id: 'RateLimitList' });
export const RateLimitParams = z.strictObject({ stageType: Name });
export const RateLimitQuery = z.strictObject({ tenantId: TenantId.optional().describe('Set or remove this tenant\'s own limit instead of the stage type\'s') });

export const PutRateLimitRequest = z
  .strictObject({
    limit: z.number().int().min(1).max(1_000_000).describe('Task starts allowed per period'),
    periodMs: z.number().int().min(1).max(86_400_000).default(1000),
    burst: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe('Starts allowed back to back (default: 100 ms worth of the rate, at least 1). Too small a burst under-delivers when dequeues are far apart'),
  })
  .meta({ id: 'PutRateLimitRequest' });
export type PutRateLimitRequest = z.input<typeof PutRateLimitRequest>;

const A = ['admin'] as const;

export const flowRoutes = {
  listQueueGroups: route({ method: 'GET', path: '/queue-groups', operationId: 'listQueueGroups', tag: 'queues', roles: A, summary: 'Job groups (queue classes) with their capacity, stage types and tasks in flight', responses: { 200: QueueGroupList } }),
  putQueueGroup: route({ method: 'PUT', path: '/queue-groups/:name', operationId: 'putQueueGroup', tag: 'queues', roles: A, summary: 'Create or replace a job group: a capacity shared by its stage types across all tenants', params: QueueGroupParams, body: PutQueueGroupRequest, responses: { 200: QueueGroup } }),
  deleteQueueGroup: route({ method: 'DELETE', path: '/queue-groups/:name', operationId: 'deleteQueueGroup', tag: 'queues', roles: A, summary: 'Delete a job group (its stage types become unlimited by it)', params: QueueGroupParams, responses: { 204: null } }),
  listRateLimits: route({ method: 'GET', path: '/rate-limits', operationId: 'listRateLimits', tag: 'queues', roles: A, summary: 'Rate limits on task starts, per stage type and per tenant', responses: { 200: RateLimitList } }),
  putRateLimit: route({ method: 'PUT', path: '/rate-limits/:stageType', operationId: 'putRateLimit', tag: 'queues', roles: A, summary: 'Limit task starts of a stage type (or of one tenant in it, with ?tenantId) across all replicas', params: RateLimitParams, query: RateLimitQuery, body: PutRateLimitRequest, responses: { 200: RateLimit } }),
  deleteRateLimit: route({ method: 'DELETE', path: '/rate-limits/:stageType', operationId: 'deleteRateLimit', tag: 'queues', roles: A, summary: 'Remove a rate limit', params: RateLimitParams, query: RateLimitQuery, responses: { 204: null } }),
} as const;
