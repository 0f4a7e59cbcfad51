// Dequeue: one statement that leases up to `max` ready tasks across queues, in priority then ready-time order.
import { statement, type Queryable } from '../db/db.js';
import { priorityNameSql } from '../domain/priority.js';
import { transitionsCte } from './history.js';
import { outboxCte } from './webhooks.js';
import { rollupCte } from './rollup.js';
import { inScope } from './tenant-scope.js';

/** A timestamptz as RFC 3339 in UTC with milliseconds, as Date#toISOString writes it. */
const RFC3339 = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/*
 * For each queue and each of the 5 priorities, one range scan of tasks_ready that stops at now()
 * (so delayed tasks never sit in front of ready ones), locked with SKIP LOCKED; the best `max` of
 * those are leased. Capped queues (max_in_flight) get 0 unless the caller holds their lock ($5).
 * The leased tasks, their jobs and stages come back as JSON text already in the wire format of
 * DequeueResponse, so the manager sends them on without parsing and re-serializing every task.
 */
export const DEQUEUE = statement(
  'jobnik_dequeue',
  `WITH q AS (
     SELECT qu.id, qu.max_in_flight IS NOT NULL AS capped,
       CASE WHEN qu.max_in_flight IS NULL THEN $4::int
            WHEN $5::boolean THEN GREATEST(0, LEAST($4::int, qu.max_in_flight -
              (SELECT count(*) FROM tasks r WHERE r.queue_id = qu.id AND r.status = 'IN_PROGRESS')::int))
            ELSE 0 END AS lim
     FROM queues qu
     WHERE qu.name = ANY($1::text[]) AND ${inScope('qu.tenant_id', '$2')} AND NOT qu.paused
   ),
   candidates AS (
     SELECT c.id, c.queue_id, c.priority, c.run_after, c.seq, q.lim
     FROM q CROSS JOIN generate_series(0, 4) AS p(priority)
     CROSS JOIN LATERAL (
       SELECT t.id, t.queue_id, t.priority, t.run_after, t.seq FROM tasks t
       WHERE t.queue_id = q.id AND t.priority = p.priority AND t.status = 'PENDING' AND t.run_after <= now()
       ORDER BY t.run_after, t.seq
       LIMIT q.lim
       FOR UPDATE SKIP LOCKED
     ) c
   ),
   picked AS (
     SELECT id FROM (
       SELECT id, priority, run_after, seq, lim,
              row_number() OVER (PARTITION BY queue_id ORDER BY priority, run_after, seq) AS rn
       FROM candidates
     ) ranked
     WHERE rn <= lim
     ORDER BY priority, run_after, seq
     LIMIT $4
   ),
   leased AS (
     UPDATE tasks t SET status = 'IN_PROGRESS', attempts = t.attempts + 1, lease_worker = $3,
       lease_token = gen_random_uuid(), lease_expires_at = now() + $6::int * interval '1 millisecond',
       started_at = now(), updated_at = now(), progress = CASE WHEN t.checkpoint IS NULL THEN 0 ELSE t.progress END
     FROM picked WHERE t.id = picked.id
     RETURNING t.id, t.job_id, t.stage_id, t.queue_id, t.priority, t.run_after, t.seq, t.data, t.user_metadata, t.attempts,
       t.max_attempts, t.timeout_ms, t.checkpoint, t.lease_token, t.lease_expires_at
   ),
   changes AS (SELECT stage_id, 'PENDING'::text AS old_status, 'IN_PROGRESS'::text AS new_status FROM leased),
   ${rollupCte('changes', `status = CASE WHEN s.status = 'PENDING' THEN 'IN_PROGRESS' ELSE s.status END, started_at = coalesce(s.started_at, now())`)},
   started_jobs AS (
     UPDATE jobs j SET status = 'IN_PROGRESS', started_at = coalesce(j.started_at, now()), updated_at = now()
     WHERE j.id IN (SELECT DISTINCT job_id FROM leased) AND j.status = 'PENDING'
     RETURNING j.id, j.tenant_id
   ),
   -- History: the jobs and stages this lease started (the stages as the statement's snapshot saw them).
   started AS (
     SELECT tenant_id, id AS job_id, NULL::uuid AS stage_id, 'PENDING' AS from_status, 'IN_PROGRESS' AS to_status FROM started_jobs
     UNION ALL
     SELECT (SELECT j.tenant_id FROM jobs j WHERE j.id = s.job_id), s.job_id, s.id, 'PENDING', 'IN_PROGRESS'
     FROM stages s WHERE s.id IN (SELECT DISTINCT stage_id FROM leased) AND s.status = 'PENDING'
   ),
   ${transitionsCte('started', "'worker:' || $3", 'NULL::jsonb', '$7::boolean')},
   started_events AS (
     SELECT job_id, stage_id, NULL::uuid AS task_id, CASE WHEN stage_id IS NULL THEN 'job.started' ELSE 'stage.started' END AS event,
       'IN_PROGRESS' AS status, 'IN_PROGRESS' AS job_status, NULL::jsonb AS error FROM started
   ),
   ${outboxCte('started_webhooks', 'started_events')}
   SELECT
     (SELECT count(*) FROM leased)::int AS n,
     (SELECT coalesce(json_agg(json_build_object(
        'id', l.id, 'jobId', l.job_id, 'stageId', l.stage_id, 'stageType', qu.name, 'priority', ${priorityNameSql('l.priority')},
        'data', l.data, 'userMetadata', l.user_metadata, 'attempts', l.attempts, 'maxAttempts', l.max_attempts,
        'timeoutMs', l.timeout_ms, 'checkpoint', l.checkpoint, 'leaseToken', l.lease_token, 'leaseExpiresAt', ${RFC3339('l.lease_expires_at')})
        ORDER BY l.priority, l.run_after, l.seq), '[]')::text
      FROM leased l JOIN queues qu ON qu.id = l.queue_id) AS tasks,
     (SELECT coalesce(json_agg(json_build_object('id', j.id, 'tenantId', j.tenant_id, 'name', j.name, 'priority', ${priorityNameSql('j.priority')},
        'data', j.data, 'userMetadata', j.user_metadata, 'traceparent', j.traceparent, 'tracestate', j.tracestate)), '[]')::text
      FROM jobs j WHERE j.id IN (SELECT DISTINCT job_id FROM leased)) AS jobs,
     (SELECT coalesce(json_agg(json_build_object('id', s.id, 'jobId', s.job_id, 'order', s.ord, 'type', s.type,
        'data', s.data, 'userMetadata', s.user_metadata)), '[]')::text
      FROM stages s WHERE s.id IN (SELECT DISTINCT stage_id FROM leased)) AS stages,
     (SELECT count(*) FROM rollup)::int + (SELECT count(*) FROM started_jobs)::int AS touched,
     (SELECT bool_or(capped) FROM q) AS any_capped,
     (SELECT array_agg(id) FROM q WHERE capped) AS capped_ids,
     CASE WHEN NOT EXISTS (SELECT 1 FROM leased) THEN (
       SELECT min(n.run_after) FROM q CROSS JOIN generate_series(0, 4) AS p(priority)
       CROSS JOIN LATERAL (
         SELECT t.run_after FROM tasks t
         WHERE t.queue_id = q.id AND t.priority = p.priority AND t.status = 'PENDING'
         ORDER BY t.run_after, t.seq LIMIT 1
       ) n
     ) END AS next_run_after`,
);

export interface DequeueParams {
  stageTypes: string[];
  tenantId: string | null;
  workerId: string;
  max: number;
  leaseMs: number;
  /** The caller holds the advisory locks of the capped queues: they may be served. */
  cappedLocked: boolean;
  /** history.enabled: record the jobs and stages this dequeue starts. */
  history: boolean;
}

/** One dequeue's result. tasks, jobs and stages are JSON arrays in DequeueResponse's wire format. */
export interface RawDequeue {
  count: number;
  tasks: string;
  jobs: string;
  stages: string;
  anyCapped: boolean;
  cappedIds: number[];
  /** When nothing was ready: the earliest runAfter among pending tasks of these queues. */
  nextRunAfter: Date | null;
}

export async function dequeueTasks(db: Queryable, p: DequeueParams): Promise<RawDequeue> {
  const rows = await db.query<Record<string, unknown>>(DEQUEUE, [p.stageTypes, p.tenantId, p.workerId, p.max, p.cappedLocked, p.leaseMs, p.history]);
  const r = rows[0]!;
  const next = r.next_run_after;
  return {
    count: r.n as number,
    tasks: r.tasks as string,
    jobs: r.jobs as string,
    stages: r.stages as string,
    anyCapped: Boolean(r.any_capped),
    cappedIds: (r.capped_ids as number[] | null) ?? [],
    nextRunAfter: next === null || next === undefined ? null : next instanceof Date ? next : new Date(next as string),
  };
}

/** Serializes dequeues of capped queues (in id order, so two callers never deadlock) until commit. */
export async function lockCappedQueues(tx: Queryable, queueIds: number[]): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(7311943, id) FROM unnest($1::int[]) AS id ORDER BY id', [[...queueIds].sort((a, b) => a - b)]);
}
