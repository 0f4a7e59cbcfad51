// The lost-task collector: running tasks whose lease expired or that ran past timeoutMs go back to
// PENDING with backoff, or to FAILED with no attempts left. Bounded batches; SKIP LOCKED makes replicas safe.
import { statement, type Queryable } from '../db/db.js';
import { FAILED_FOR_GOOD } from './acks.js';
import { attemptsCte } from './history.js';
import { outboxCte } from './webhooks.js';
import { rollupCte, type StageCountersRow } from './rollup.js';
import { tallySql, type Tally } from './throughput.js';

/**
 * From a watermark ($3): leases that expired at or after it — a range scan per queue of tasks_running, which stays
 * short however many dead entries a held xmin horizon leaves behind (leases never outlive their task's timeout, so
 * this finds timeouts too). The full pass (no watermark) also finds rows leased before that rule, by their timeout.
 */
const sweepSql = (due: string) => `WITH expired AS (
     SELECT t.id,
       CASE WHEN t.timeout_ms IS NOT NULL AND t.started_at + t.timeout_ms * interval '1 millisecond' <= now() THEN 'TIMEOUT' ELSE 'LEASE_EXPIRED' END AS reason,
       t.attempts < t.max_attempts AS retry,
       jobnik_backoff_ms(t.attempts, t.backoff_base_ms, t.backoff_max_ms, t.backoff_jitter) AS delay_ms
     FROM queues q CROSS JOIN LATERAL (
       SELECT t.* FROM tasks t
       WHERE t.queue_id = q.id AND t.status = 'IN_PROGRESS' AND ${due}
       ORDER BY t.lease_expires_at
       LIMIT $1
       FOR UPDATE OF t SKIP LOCKED
     ) t
     LIMIT $1
   ),
   acked AS (
     UPDATE tasks t SET
       status = CASE WHEN e.retry THEN 'PENDING' ELSE 'FAILED' END,
       run_after = CASE WHEN e.retry THEN now() + e.delay_ms * interval '1 millisecond' ELSE t.run_after END,
       error = jsonb_build_object('code', e.reason, 'at', now(), 'message',
         CASE WHEN e.reason = 'LEASE_EXPIRED' THEN 'lease expired: worker ' || coalesce(t.lease_worker, '?') || ' stopped heartbeating'
              ELSE 'timed out after ' || t.timeout_ms || ' ms' END),
       finished_at = CASE WHEN e.retry THEN NULL ELSE now() END,
       updated_at = now(), lease_expires_at = NULL
     FROM expired e WHERE t.id = e.id
     RETURNING t.id, t.stage_id, t.queue_id, t.status, e.reason, t.job_id, t.attempts, t.lease_worker, t.started_at, t.error
   ),
   changes AS (SELECT stage_id, 'IN_PROGRESS'::text AS old_status, status AS new_status FROM acked),
   ${attemptsCte('acked', 'a.reason', "'sweeper'", '$2::boolean')},
   ${FAILED_FOR_GOOD},
   ${outboxCte('failed_webhooks', 'failed_for_good')},
   ${rollupCte()}
   SELECT (SELECT count(*) FROM acked WHERE status = 'PENDING')::int AS retried,
          (SELECT count(*) FROM acked WHERE status = 'FAILED')::int AS failed,
          (SELECT count(*) FROM acked WHERE reason = 'TIMEOUT')::int AS timed_out,
          (SELECT json_agg(r) FROM rollup r) AS stages,
          (SELECT array_agg(qu.name) FROM queues qu WHERE qu.id IN (SELECT queue_id FROM acked)) AS stage_types,
          ${tallySql('acked')},
          now() AS swept_at`;

export const SWEEP = statement('jobnik_sweep', sweepSql(`t.lease_expires_at >= $3::timestamptz AND t.lease_expires_at < now()`));
const SWEEP_ALL = statement(
  'jobnik_sweep_all',
  sweepSql(`(t.lease_expires_at < now() OR (t.timeout_ms IS NOT NULL AND t.started_at + t.timeout_ms * interval '1 millisecond' < now()))`),
);

export interface SweepResult {
  retried: number;
  failed: number;
  timedOut: number;
  stages: StageCountersRow[];
  stageTypes: string[];
  /** Tasks failed for good, by tenant (throughput). */
  tallies: Tally[];
  /** The statement's now(): the next pass's watermark is derived from it. */
  sweptAt: Date;
}

/**
 * `history`: write the attempts' history rows (history.enabled). `since`: the watermark — only leases that expired at
 * or after it; null = every running task (the full pass).
 */
export async function sweepExpired(tx: Queryable, batch: number, history: boolean, since: Date | null): Promise<SweepResult> {
  const rows = await tx.query<Record<string, unknown>>(since ? SWEEP : SWEEP_ALL, since ? [batch, history, since] : [batch, history]);
  const r = rows[0]!;
  return {
    retried: r.retried as number,
    failed: r.failed as number,
    timedOut: r.timed_out as number,
    stages: (r.stages as StageCountersRow[] | null) ?? [],
    stageTypes: (r.stage_types as string[] | null) ?? [],
    tallies: (r.tallies as Tally[] | null) ?? [],
    sweptAt: r.swept_at instanceof Date ? r.swept_at : new Date(r.swept_at as string),
  };
}
