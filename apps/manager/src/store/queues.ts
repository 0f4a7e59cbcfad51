// Queues: one row per (tenant, stage type), created on first use; the integer id is what tasks carry.
import type { Queue } from '@jobnik/contracts';
import type { Queryable } from '../db/db.js';
import { isoOrNull } from './mappers.js';
import { inScope } from './tenant-scope.js';

/** Returns name → id for the tenant's queues of these names, creating the missing ones. */
export async function ensureQueues(db: Queryable, tenantId: string, names: string[]): Promise<Map<string, number>> {
  const unique = [...new Set(names)];
  const select = () => db.query<{ id: number; name: string }>('SELECT id, name FROM queues WHERE tenant_id = $1 AND name = ANY($2::text[])', [tenantId, unique]);
  let rows = await select();
  if (rows.length < unique.length) {
    await db.query(
      `INSERT INTO queues (tenant_id, name) SELECT $1, n FROM unnest($2::text[]) AS n
       ON CONFLICT (tenant_id, name) DO NOTHING`,
      [tenantId, unique],
    );
    rows = await select();
  }
  return new Map(rows.map((r) => [r.name, r.id]));
}

const QUEUE_DEPTH_SQL = `
  SELECT q.tenant_id, q.name, q.paused, q.max_in_flight, q.weight, q.aging_ms,
    (SELECT m.group_name FROM queue_group_members m WHERE m.stage_type = q.name) AS group_name,
    (SELECT json_build_object('limit', r.limit_n, 'periodMs', r.period_ms, 'burst', r.burst) FROM rate_limits r
      WHERE r.stage_type = q.name AND r.tenant_id = '*') AS rate_limit,
    (SELECT json_build_object('limit', r.limit_n, 'periodMs', r.period_ms, 'burst', r.burst) FROM rate_limits r
      WHERE r.stage_type = q.name AND r.tenant_id = q.tenant_id) AS tenant_rate_limit,
    coalesce(d.waiting, 0)::int AS waiting, coalesce(d.ready, 0)::int AS ready, coalesce(d.delayed, 0)::int AS delayed,
    coalesce(d.in_progress, 0)::int AS in_progress, coalesce(d.paused_tasks, 0)::int AS paused_tasks, d.oldest_ready_at
  FROM queues q
  LEFT JOIN LATERAL (
    SELECT
      count(*) FILTER (WHERE t.status = 'WAITING') AS waiting,
      count(*) FILTER (WHERE t.status = 'PENDING' AND t.run_after <= now()) AS ready,
      count(*) FILTER (WHERE t.status = 'PENDING' AND t.run_after > now()) AS delayed,
      count(*) FILTER (WHERE t.status = 'IN_PROGRESS') AS in_progress,
      count(*) FILTER (WHERE t.status = 'PAUSED') AS paused_tasks,
      min(t.run_after) FILTER (WHERE t.status = 'PENDING' AND t.run_after <= now()) AS oldest_ready_at
    FROM tasks t WHERE t.queue_id = q.id AND t.status IN ('WAITING', 'PENDING', 'IN_PROGRESS', 'PAUSED')
  ) d ON true`;

/** json_build_object comes back parsed from pg, as text from PGlite in some versions. */
function jsonOrNull<T>(v: unknown): T | null {
  if (v === null || v === undefined) return null;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

function toQueue(r: Record<string, unknown>): Queue {
  return {
    tenantId: r.tenant_id as string,
    name: r.name as string,
    paused: r.paused as boolean,
    maxInFlight: (r.max_in_flight as number | null) ?? null,
    weight: Number(r.weight),
    agingMs: (r.aging_ms as number | null) ?? null,
    group: (r.group_name as string | null) ?? null,
    rateLimit: jsonOrNull(r.rate_limit),
    tenantRateLimit: jsonOrNull(r.tenant_rate_limit),
    depth: {
      waiting: r.waiting as number,
      ready: r.ready as number,
      delayed: r.delayed as number,
      inProgress: r.in_progress as number,
      paused: r.paused_tasks as number,
    },
    oldestReadyAt: isoOrNull(r.oldest_ready_at),
  };
}

export async function listQueues(db: Queryable, tenantId: string | null): Promise<Queue[]> {
  const rows = await db.query(`${QUEUE_DEPTH_SQL} WHERE ${inScope('q.tenant_id', '$1')} ORDER BY q.tenant_id, q.name`, [tenantId]);
  return rows.map(toQueue);
}

export async function getQueue(db: Queryable, tenantId: string, name: string): Promise<Queue | null> {
  const rows = await db.query(`${QUEUE_DEPTH_SQL} WHERE q.tenant_id = $1 AND q.name = $2`, [tenantId, name]);
  return rows[0] ? toQueue(rows[0]) : null;
}

/** Upserts the queue's settings (a queue may be configured before any job uses it). */
export async function updateQueue(
  tx: Queryable,
  tenantId: string,
  name: string,
  change: { paused?: boolean; maxInFlight?: number | null; weight?: number; agingMs?: number | null },
): Promise<void> {
  await tx.query(
    `INSERT INTO queues (tenant_id, name, paused, max_in_flight, weight, aging_ms) VALUES ($1, $2, coalesce($3, false), $5, coalesce($6, 1), $8)
     ON CONFLICT (tenant_id, name) DO UPDATE SET
       paused = coalesce($3, queues.paused),
       max_in_flight = CASE WHEN $4 THEN $5 ELSE queues.max_in_flight END,
       weight = coalesce($6, queues.weight),
       aging_ms = CASE WHEN $7 THEN $8 ELSE queues.aging_ms END,
       updated_at = now()`,
    [tenantId, name, change.paused ?? null, change.maxInFlight !== undefined, change.maxInFlight ?? null, change.weight ?? null, change.agingMs !== undefined, change.agingMs ?? null],
  );
}
