// API keys: random secrets shown once, stored hashed, each with a tenant and a role.
import { z } from 'zod';
import { Name, TenantId, Timestamp, Uuid } from './common.js';

export const ROLES = ['producer', 'worker', 'admin', 'viewer'] as const;
export const Role = z.enum(ROLES).meta({
  id: 'Role',
  description: "producer: create, read and control its tenant's jobs. worker: dequeue, ack and heartbeat (optionally only some stage types). admin: everything, across tenants, plus keys and queues. viewer: reads only (jobs, stages, tasks, queues, workers, stats, schedules, job types) of its tenant — for dashboards and on-call people.",
});
export type Role = z.infer<typeof Role>;

export const CreateApiKeyRequest = z
  .strictObject({
    tenantId: TenantId,
    role: Role,
    name: z.string().min(1).max(128).describe('What the key is for, e.g. "tile workers (prod)"'),
    stageTypes: z.array(Name).max(64).optional().describe('worker keys: the only stage types it may take (default: all)'),
  })
  .meta({ id: 'CreateApiKeyRequest' });
export type CreateApiKeyRequest = z.input<typeof CreateApiKeyRequest>;

export const ApiKey = z
  .object({
    id: Uuid,
    tenantId: z.string(),
    role: Role,
    name: z.string(),
    prefix: z.string().describe('The first characters of the key, to recognise it'),
    stageTypes: z.array(z.string()),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedApiKey = ApiKey.extend({ key: z.string().describe('The secret: shown this once, stored only as a hash') }).meta({ id: 'CreatedApiKey' });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ApiKeyList = z.object({ items: z.array(ApiKey) }).meta({ id: 'ApiKeyList' });
export const ApiKeyParams = z.strictObject({ keyId: Uuid });

/** Header that carries the key (`Authorization: Bearer <key>` works too). */
export const API_KEY_HEADER = 'x-api-key';
