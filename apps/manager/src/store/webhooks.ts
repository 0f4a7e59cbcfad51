// The webhook outbox: events written with the state change that caused them, claimed for delivery
// with a timeout-long lease (so a crashed manager's claims come back), and the delivery log.
import type { WebhookDelivery } from '@jobnik/contracts';
import { statement, type Queryable, type Row } from '../db/db.js';
import { iso, isoOrNull } from './mappers.js';
import { decodeCursor, pageOf, Where } from './pagination.js';

export interface OutboxEvent {
  job_id: string;
  stage_id: string | null;
  event: string;
  status: string;
}

/**
 * `name AS (INSERT INTO webhook_events …)`: one outbox row per (event, subscription of its job that wants it),
 * written by the statement that makes the change. `source` is a CTE with columns job_id, stage_id, task_id,
 * event, status, job_status (null: the job's stored status) and error. Jobs without subscriptions cost a join.
 */
export function outboxCte(name: string, source: string): string {
  return `${name} AS (
     INSERT INTO webhook_events (job_id, event, url, secret, headers, payload)
     SELECT j.id, e.event, w->>'url', w->>'secret', w->'headers',
       jsonb_build_object('event', e.event, 'occurredAt', now(), 'jobId', j.id, 'stageId', e.stage_id, 'status', e.status,
         'job', jsonb_build_object('id', j.id, 'tenantId', j.tenant_id, 'name', j.name, 'status', coalesce(e.job_status, j.status), 'userMetadata', j.user_metadata))
       || CASE WHEN e.task_id IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('taskId', e.task_id, 'error', e.error) END
     FROM ${source} e JOIN jobs j ON j.id = e.job_id
     CROSS JOIN LATERAL jsonb_array_elements(j.webhooks) AS w
     WHERE j.webhooks <> '[]'::jsonb
       -- job.started, stage.started and task.failed go only to subscriptions that list them (a subscription
       -- without a list keeps getting the final events it always got).
       AND (w->'events') ? e.event
     RETURNING 1
   )`;
}

const ENQUEUE_WEBHOOK_EVENTS = statement(
  'jobnik_enqueue_webhook_events',
  `WITH e AS (SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS e(job_id uuid, stage_id uuid, event text, status text)),
     ins AS (
       INSERT INTO webhook_events (job_id, event, url, secret, headers, payload)
       SELECT j.id, e.event, w->>'url', w->>'secret', w->'headers',
         jsonb_build_object('event', e.event, 'occurredAt', now(), 'jobId', j.id, 'stageId', e.stage_id, 'status', e.status,
           'job', jsonb_build_object('id', j.id, 'tenantId', j.tenant_id, 'name', j.name, 'status', j.status, 'userMetadata', j.user_metadata))
       FROM e JOIN jobs j ON j.id = e.job_id
       CROSS JOIN LATERAL jsonb_array_elements(j.webhooks) AS w
       WHERE w->'events' IS NULL OR jsonb_typeof(w->'events') = 'null' OR (w->'events') ? e.event
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM ins`,
);

/** One row per (event, subscription of its job that wants it). */
export async function enqueueWebhookEvents(tx: Queryable, events: OutboxEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const rows = await tx.query<{ n: number }>(
    ENQUEUE_WEBHOOK_EVENTS,
    [JSON.stringify(events)],
  );
  return rows[0]!.n;
}

/**
 * `name AS (DELETE FROM webhook_events …)`: the delivered and given-up events of the jobs a statement deletes (`jobs`, a
 * CTE with column id). Their undelivered events stay, job_id cleared by the foreign key, until they are delivered or
 * given up; then the retention sweep deletes them (deleteSettledOrphanEvents).
 */
export function settledEventsOfDeletedJobsCte(name: string, jobs: string): string {
  return `${name} AS (
     DELETE FROM webhook_events WHERE job_id IN (SELECT id FROM ${jobs}) AND (delivered_at IS NOT NULL OR failed_at IS NOT NULL)
   )`;
}

/** Deletes up to `batch` settled events whose job was deleted before they settled; returns how many it deleted. */
export async function deleteSettledOrphanEvents(db: Queryable, batch: number): Promise<number> {
  const gone = await db.query(
    `DELETE FROM webhook_events WHERE id IN (
       SELECT id FROM webhook_events WHERE job_id IS NULL AND (delivered_at IS NOT NULL OR failed_at IS NOT NULL) LIMIT $1)
     RETURNING 1`,
    [batch],
  );
  return gone.length;
}

/**
 * A URL's origin, scheme://host:port as written (lower case, without user info): the unit of the per-receiver cap.
 * Computed here and returned with each claimed event, so the dispatcher counts by the very key the claim uses.
 */
const ORIGIN = (url: string) => `lower(regexp_replace(${url}, '^([A-Za-z][A-Za-z0-9+.-]*://)(?:[^@/?#]*@)?([^/?#]*).*$', '\\1\\2'))`;

/**
 * Claims up to $1 due events, oldest due first, at most $5 minus what this process has in flight per origin ($3 origins,
 * $4 counts): a receiver at its cap is passed over, not waited for. The window ranks each origin's due events; the
 * locking scan re-checks that each is still due (another replica may have claimed it since the ranking read it).
 */
const CLAIM = statement(
  'jobnik_webhook_claim',
  `WITH busy AS (SELECT * FROM unnest($3::text[], $4::int[]) AS b(origin, n)),
   ranked AS (
     SELECT e.id, e.next_attempt_at, o.origin, row_number() OVER (PARTITION BY o.origin ORDER BY e.next_attempt_at, e.id) AS nth
     FROM webhook_events e CROSS JOIN LATERAL (SELECT ${ORIGIN('e.url')} AS origin) o
     WHERE e.delivered_at IS NULL AND e.failed_at IS NULL AND e.next_attempt_at <= now()
   ),
   wanted AS (
     SELECT r.id FROM ranked r LEFT JOIN busy b ON b.origin = r.origin
     WHERE r.nth <= $5::int - coalesce(b.n, 0)
     ORDER BY r.next_attempt_at, r.id LIMIT $1
   ),
   due AS (
     SELECT id FROM webhook_events
     WHERE id = ANY (ARRAY(SELECT id FROM wanted)) AND delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
     FOR UPDATE SKIP LOCKED
   )
   UPDATE webhook_events w SET attempts = w.attempts + 1, next_attempt_at = now() + $2::int * interval '1 millisecond'
   FROM due
   WHERE w.id = due.id
   RETURNING w.id, w.job_id, w.event, w.url, ${ORIGIN('w.url')} AS origin, w.secret, w.headers, w.payload, w.attempts`,
);

export interface ClaimedEvent {
  id: string | number;
  /** Null once the job was deleted: its undelivered events are still delivered. */
  job_id: string | null;
  event: string;
  url: string;
  /** scheme://host:port of the url, as the claim counts it. */
  origin: string;
  secret: string | null;
  /** The subscription's custom headers. */
  headers: Record<string, string> | null;
  payload: Record<string, unknown>;
  attempts: number;
}

export interface ClaimLimits {
  max: number;
  /** How long the claim holds: past it, an event whose delivery never recorded an outcome is due again. */
  leaseMs: number;
  /** Most deliveries in flight to one origin. */
  perOrigin: number;
  /** Deliveries this process has in flight, by origin. */
  busy: ReadonlyMap<string, number>;
}

export function claimWebhookEvents(db: Queryable, limits: ClaimLimits): Promise<ClaimedEvent[]> {
  return db.query<ClaimedEvent>(CLAIM, [limits.max, limits.leaseMs, [...limits.busy.keys()], [...limits.busy.values()], limits.perOrigin]);
}

/** Gives a claim back, due at once and the attempt not counted: its delivery was cut short by a shutdown. */
export async function releaseWebhookEvent(db: Queryable, id: string | number): Promise<void> {
  await db.query(
    'UPDATE webhook_events SET attempts = attempts - 1, next_attempt_at = now() WHERE id = $1 AND delivered_at IS NULL AND failed_at IS NULL',
    [id],
  );
}

export async function markDelivered(db: Queryable, id: string | number, status: number): Promise<void> {
  await db.query('UPDATE webhook_events SET delivered_at = now(), last_status = $2, last_error = NULL, next_attempt_at = NULL WHERE id = $1', [id, status]);
}

export async function markFailedAttempt(db: Queryable, id: string | number, status: number | null, error: string, giveUp: boolean, retryBaseMs: number): Promise<void> {
  await db.query(
    `UPDATE webhook_events SET last_status = $2, last_error = $3,
       failed_at = CASE WHEN $4 THEN now() ELSE NULL END,
       next_attempt_at = CASE WHEN $4 THEN NULL ELSE now() + jobnik_backoff_ms(attempts, $5, 300000, 0.2) * interval '1 millisecond' END
     WHERE id = $1`,
    [id, status, error.slice(0, 2000), giveUp, retryBaseMs],
  );
}

function toDelivery(r: Row): WebhookDelivery {
  return {
    id: String(r.id),
    // Listed by job: an event whose job was deleted (job_id null) is not in any job's log.
    jobId: r.job_id as string,
    event: r.event as WebhookDelivery['event'],
    url: r.url as string,
    attempts: r.attempts as number,
    lastStatus: (r.last_status as number | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    createdAt: iso(r.created_at),
    nextAttemptAt: isoOrNull(r.next_attempt_at),
    deliveredAt: isoOrNull(r.delivered_at),
    failedAt: isoOrNull(r.failed_at),
  };
}

/** One page of a job's delivery log, oldest event first (keyset on the outbox id). */
export async function listDeliveries(db: Queryable, jobId: string, page: { limit: number; cursor?: string | undefined }): Promise<{ items: WebhookDelivery[]; nextCursor: string | null }> {
  const where = new Where().add('job_id = ?', jobId);
  if (page.cursor) where.raw(`id > ${where.bind(decodeCursor(page.cursor, ['bigint'])[0])}::bigint`);
  const rows = await db.query(`SELECT * FROM webhook_events ${where} ORDER BY id LIMIT ${where.bind(page.limit + 1)}`, where.params);
  return pageOf(rows, page.limit, (last) => [String(last.id)], toDelivery);
}
