// Queues: one row per (tenant, stage type), created on first use; the integer id is what tasks carry.
import type { Queue } from '@jobnik/contracts';
import { statement, type Queryable } from '../db/db.js';
import { isoOrNull } from './mappers.js';
import { decodeCursor, pageOf, Where } from './pagination.js';
import { openStagesOfQueue } from './stages.js';
import { leaseNotSwept } from './sweep-watermark.js';
import { inScope } from './tenant-scope.js';

const QUEUES_NAMED = statement('jobnik_queues_named', 'SELECT id, name FROM queues WHERE tenant_id = $1 AND name = ANY($2::text[])');

/** Returns name → id for the tenant's queues of these names, creating the missing ones. */
export async function ensureQueues(db: Queryable, tenantId: string, names: string[]): Promise<Map<string, number>> {
  const unique = [...new Set(names)];
  const select = () => db.query<{ id: number; name: string }>(QUEUES_NAMED, [tenantId, unique]);
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

/**
 * A queue with its depth, at a cost that does not grow with its backlog (a million ready tasks used to be counted
 * one by one on every GET /queues, PATCH /queues answer and /metrics scrape: ~0.5 s of PostgreSQL reading ~150 MB
 * each time). Waiting, paused and pending-or-running tasks are the counters of the queue's open stages (a finished
 * stage holds none: ending a stage ends its open tasks in the same transaction); running tasks are counted through
 * tasks_running from the sweep watermark on (as many as are leased, and the leases of about the last lease length
 * that have ended since: under a held xmin horizon their entries stay), delayed ones through tasks_ready from now() on
 * (one range per priority, as many as wait for a retry's backoff or a later start); ready = pending-or-running −
 * running − delayed. One statement, one snapshot: the parts add up. A queue without an open stage holds no task that
 * has not ended, so its tasks are not looked at (the queues of tenants done with a stage type stay, one per tenant).
 * The oldest ready task (`oldestReady`) is the first live entry of tasks_ready per priority: under a held horizon
 * that walk passes every task leased from the queue since the hold began, so the /metrics scrape, which has no use
 * for it, leaves it out, and a queue whose counts say it has no ready task is not walked (a drained queue's read
 * stays cheap through a hold; one with ready tasks still pays the walk).
 */
const queueDepthSql = (oldestReady: boolean) => `
  SELECT q.tenant_id, q.name, q.paused, q.max_in_flight, q.weight, q.aging_ms,
    (SELECT m.group_name FROM queue_group_members m WHERE m.stage_type = q.name) AS group_name,
    (SELECT json_build_object('limit', r.limit_n, 'periodMs', r.period_ms, 'burst', r.burst) FROM rate_limits r
      WHERE r.stage_type = q.name AND r.tenant_id = '*') AS rate_limit,
    (SELECT json_build_object('limit', r.limit_n, 'periodMs', r.period_ms, 'burst', r.burst) FROM rate_limits r
      WHERE r.stage_type = q.name AND r.tenant_id = q.tenant_id) AS tenant_rate_limit,
    c.waiting, d.ready, d.n AS delayed, r.n AS in_progress, c.paused AS paused_tasks,
    ${oldestReady ? 'o.oldest_ready_at' : 'NULL::timestamptz AS oldest_ready_at'}
  FROM queues q
  CROSS JOIN LATERAL (
    SELECT coalesce(sum(s.n_waiting), 0)::int AS waiting, coalesce(sum(s.n_pending_or_running), 0)::int AS pending_or_running,
      coalesce(sum(s.n_paused), 0)::int AS paused, count(*) > 0 AS open
    FROM stages s WHERE ${openStagesOfQueue('s', 'q.id')}
  ) c
  CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM tasks t WHERE c.open AND t.queue_id = q.id AND t.status = 'IN_PROGRESS' AND ${leaseNotSwept('t')}) r
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS n, c.pending_or_running - r.n - count(*)::int AS ready FROM generate_series(0, 4) AS p(priority)
    JOIN tasks t ON c.open AND t.queue_id = q.id AND t.priority = p.priority AND t.status = 'PENDING' AND t.run_after > now()
  ) d${
    oldestReady
      ? `
  CROSS JOIN LATERAL (
    SELECT CASE WHEN d.ready > 0 THEN (
      SELECT min(x.run_after) FROM generate_series(0, 4) AS p(priority)
      CROSS JOIN LATERAL (SELECT t.run_after FROM tasks t WHERE t.queue_id = q.id AND t.priority = p.priority
        AND t.status = 'PENDING' AND t.run_after <= now() ORDER BY t.run_after, t.seq LIMIT 1) x
    ) END AS oldest_ready_at
  ) o`
      : ''
  }`;
/** Each queue with its depths and oldest ready task; FROM queues q, so a WHERE on q may follow. */
export const QUEUE_DEPTH_SQL = queueDepthSql(true);
const QUEUE_COUNTS_SQL = queueDepthSql(false);

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

/** Which queues a listing returns (all of the caller's tenants' when empty). */
export interface QueueFilter {
  stageType?: string;
  /** Only queues with an open stage (work that has not ended). */
  active?: boolean;
  /** Only queues with an open stage or paused (the /metrics scrape without idle queues). */
  activeOrPaused?: boolean;
  /** Page size; without it, every matching queue. */
  limit?: number;
  cursor?: string;
}

/**
 * The queues in (tenant, stage type) order, one page of them when `filter.limit` is set (keyset on that order).
 * `oldestReady` false: each queue's oldestReadyAt is null (not read; see queueDepthSql).
 */
export async function listQueues(db: Queryable, tenantId: string | null, filter: QueueFilter = {}, oldestReady = true): Promise<{ items: Queue[]; nextCursor: string | null }> {
  const where = new Where().add(inScope('q.tenant_id', '?'), tenantId);
  if (filter.stageType !== undefined) where.add('q.name = ?', filter.stageType);
  if (filter.active) where.raw('c.open');
  if (filter.activeOrPaused) where.raw('(c.open OR q.paused)');
  if (filter.cursor) {
    const [tenant, name] = decodeCursor(filter.cursor, ['text', 'text']);
    where.raw(`(q.tenant_id, q.name) > (${where.bind(tenant)}, ${where.bind(name)})`);
  }
  const limit = filter.limit === undefined ? '' : ` LIMIT ${where.bind(filter.limit + 1)}`;
  const sql = oldestReady ? QUEUE_DEPTH_SQL : QUEUE_COUNTS_SQL;
  const rows = await db.query(`${sql} ${where} ORDER BY q.tenant_id, q.name${limit}`, where.params);
  return pageOf(rows, filter.limit ?? rows.length, (last) => [last.tenant_id, last.name], toQueue);
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
    `INSERT INTO queues (tenant_id, name, paused, max_in_flight, weight, aging_ms) VALUES ($1, $2, coalesce($3, false), $5, coalesce($6::float8, 1), $8)
     ON CONFLICT (tenant_id, name) DO UPDATE SET
       paused = coalesce($3, queues.paused),
       max_in_flight = CASE WHEN $4 THEN $5 ELSE queues.max_in_flight END,
       weight = coalesce($6::float8, queues.weight),
       aging_ms = CASE WHEN $7 THEN $8 ELSE queues.aging_ms END,
       updated_at = now()`,
    [tenantId, name, change.paused ?? null, change.maxInFlight !== undefined, change.maxInFlight ?? null, change.weight ?? null, change.agingMs !== undefined, change.agingMs ?? null],
  );
}
