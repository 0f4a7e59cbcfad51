// SQL for API keys. Only hashes are stored; lookups are by hash.
import type { ApiKey, Role } from '@jobnik/contracts';
import type { Queryable, Row } from '../db/db.js';
import { iso, isoOrNull } from './mappers.js';

export function toApiKey(r: Row): ApiKey {
  return {
    id: r.id as string,
    tenantId: r.tenant_id as string,
    role: r.role as Role,
    name: r.name as string,
    prefix: r.prefix as string,
    stageTypes: (r.stage_types as string[]) ?? [],
    createdAt: iso(r.created_at),
    lastUsedAt: isoOrNull(r.last_used_at),
    revokedAt: isoOrNull(r.revoked_at),
  };
}

export async function insertApiKey(db: Queryable, k: { tenantId: string; role: Role; name: string; prefix: string; hash: string; stageTypes: string[] }): Promise<ApiKey> {
  const rows = await db.query(
    `INSERT INTO api_keys (tenant_id, role, name, prefix, key_hash, stage_types) VALUES ($1, $2, $3, $4, $5, $6::text[]) RETURNING *`,
    [k.tenantId, k.role, k.name, k.prefix, k.hash, k.stageTypes],
  );
  return toApiKey(rows[0]!);
}

export async function findActiveKeyByHash(db: Queryable, hash: string): Promise<ApiKey | null> {
  const rows = await db.query(
    `UPDATE api_keys SET last_used_at = now() WHERE key_hash = $1 AND revoked_at IS NULL RETURNING *`,
    [hash],
  );
  return rows[0] ? toApiKey(rows[0]) : null;
}

export async function listApiKeys(db: Queryable): Promise<ApiKey[]> {
  return (await db.query('SELECT * FROM api_keys ORDER BY created_at DESC LIMIT 1000')).map(toApiKey);
}

export async function revokeApiKey(db: Queryable, id: string): Promise<boolean> {
  const rows = await db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id', [id]);
  return rows.length > 0;
}
