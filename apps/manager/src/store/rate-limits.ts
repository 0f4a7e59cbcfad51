// Rate limits on task starts: GCRA state rows per (stage type, tenant or '*'). The dequeue statement reads and
// advances them (store/dequeue.ts); these are their settings.
import type { RateLimit } from '@jobnik/contracts';
import type { Queryable } from '../db/db.js';
import { iso } from './mappers.js';
import type { FlowSource } from './queue-groups.js';

/** tenant_id of a limit shared by every tenant of the stage type. */
const ALL = '*';

function toRateLimit(r: Record<string, unknown>): RateLimit {
  return {
    stageType: r.stage_type as string,
    tenantId: r.tenant_id === ALL ? null : (r.tenant_id as string),
    limit: r.limit_n as number,
    periodMs: r.period_ms as number,
    burst: r.burst as number,
    source: r.source as FlowSource,
    updatedAt: iso(r.updated_at as Date),
  };
}

const COLUMNS = 'stage_type, tenant_id, limit_n, period_ms, burst, source, updated_at';

export async function listRateLimits(db: Queryable): Promise<RateLimit[]> {
  return (await db.query(`SELECT ${COLUMNS} FROM rate_limits ORDER BY stage_type, tenant_id`)).map(toRateLimit);
}

export async function rateLimitSource(tx: Queryable, stageType: string, tenantId: string | null): Promise<FlowSource | null> {
  const [r] = await tx.query<{ source: FlowSource }>('SELECT source FROM rate_limits WHERE stage_type = $1 AND tenant_id = $2 FOR UPDATE', [stageType, tenantId ?? ALL]);
  return r?.source ?? null;
}

/** Creates or changes a limit; a changed limit starts from a full burst (the bucket state is reset). */
export async function putRateLimit(
  tx: Queryable,
  l: { stageType: string; tenantId: string | null; limit: number; periodMs: number; burst: number; source: FlowSource },
): Promise<RateLimit> {
  const [r] = await tx.query(
    `INSERT INTO rate_limits (stage_type, tenant_id, limit_n, period_ms, burst, source) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (stage_type, tenant_id) DO UPDATE SET limit_n = $3, period_ms = $4, burst = $5, source = $6,
       tat = CASE WHEN (rate_limits.limit_n, rate_limits.period_ms, rate_limits.burst) = ($3, $4, $5) THEN rate_limits.tat ELSE '-infinity' END,
       updated_at = CASE WHEN (rate_limits.limit_n, rate_limits.period_ms, rate_limits.burst, rate_limits.source) = ($3, $4, $5, $6) THEN rate_limits.updated_at ELSE now() END
     RETURNING ${COLUMNS}`,
    [l.stageType, l.tenantId ?? ALL, l.limit, l.periodMs, l.burst, l.source],
  );
  return toRateLimit(r!);
}

export async function deleteRateLimit(tx: Queryable, stageType: string, tenantId: string | null): Promise<boolean> {
  return (await tx.query('DELETE FROM rate_limits WHERE stage_type = $1 AND tenant_id = $2 RETURNING 1', [stageType, tenantId ?? ALL])).length > 0;
}

/** Removes the config-declared limits the configuration no longer names (keys "stageType/tenant or *"). */
export async function deleteConfigRateLimitsExcept(tx: Queryable, keep: { stageType: string; tenantId: string | null }[]): Promise<void> {
  await tx.query(
    `DELETE FROM rate_limits WHERE source = 'config' AND NOT ((stage_type, tenant_id) IN (SELECT * FROM unnest($1::text[], $2::text[])))`,
    [keep.map((k) => k.stageType), keep.map((k) => k.tenantId ?? ALL)],
  );
}
