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

/** The tenant an event belongs to (its job's, carried in the payload: the job may be gone). */
const TENANT = (e: string) => `coalesce(${e}.payload->'job'->>'tenantId', '')`;
/**
 * The endpoint an event goes to, the unit of the per-endpoint cap: its tenant and its URL. One tenant's dead endpoint
 * never takes the slots of another endpoint's events, even on the same host (a shared SaaS endpoint, another route).
 * Computed here and returned with each claimed event, so the dispatcher counts by the very keys the claim uses.
 */
const ENDPOINT = (e: string) => `(${TENANT(e)} || ' ' || ${e}.url)`;

/** Endpoints the claim walks one by one (an index probe each); with more of them pending it ranks every due event. */
export const CLAIM_WALK_ENDPOINTS = 200;

const PENDING = (e: string) => `${e}.delivered_at IS NULL AND ${e}.failed_at IS NULL`;

/**
 * Claims up to $1 due events, at most $5 in flight per endpoint and $7 per tenant in this process (what it has in
 * flight: $3/$4 by endpoint, $6/$8 by tenant): an endpoint or a tenant at its cap is passed over, not waited for.
 * Endpoints take turns (each one's oldest due event first, then each one's second, …), so an endpoint with a long
 * backlog does not push the others' events behind it. The locking scan re-checks that each is still due (another
 * replica may have claimed it since the ranking read it).
 *
 * Candidates: while at most $9 endpoints have undelivered events, the claim walks them through
 * webhook_events_pending_by_endpoint (a skip scan: one probe per endpoint) and takes from each only as many of its
 * oldest due events as its free slots — an endpoint at its cap costs one probe however long its backlog (a receiver
 * down while jobs finish: 298 ms a claim at 100,000 due events when every due event was ranked). With more endpoints
 * than that (e.g. a callback URL per job), every due event is ranked as before; a one-time filter runs only one of the
 * two. Either way the candidates are the same: each endpoint's first (cap − busy) due events.
 */
export const CLAIM = statement(
  'jobnik_webhook_claim',
  `WITH RECURSIVE busy_endpoint AS (SELECT * FROM unnest($3::text[], $4::int[]) AS b(endpoint, n)),
   busy_tenant AS (SELECT * FROM unnest($6::text[], $8::int[]) AS b(tenant, n)),
   walk (endpoint, n) AS (
     (SELECT ${ENDPOINT('e')}, 1 FROM webhook_events e WHERE ${PENDING('e')} ORDER BY 1 LIMIT 1)
     UNION ALL
     SELECT (SELECT ${ENDPOINT('e')} FROM webhook_events e WHERE ${PENDING('e')} AND ${ENDPOINT('e')} > w.endpoint ORDER BY 1 LIMIT 1), w.n + 1
     FROM walk w WHERE w.endpoint IS NOT NULL AND w.n <= $9::int
   ),
   walked AS (SELECT NOT EXISTS (SELECT 1 FROM walk WHERE n > $9::int AND endpoint IS NOT NULL) AS whole),
   candidates AS (
     SELECT h.id, h.next_attempt_at, h.tenant, w.endpoint
     FROM walk w LEFT JOIN busy_endpoint b ON b.endpoint = w.endpoint
     CROSS JOIN LATERAL (
       SELECT e.id, e.next_attempt_at, ${TENANT('e')} AS tenant FROM webhook_events e
       WHERE ${ENDPOINT('e')} = w.endpoint AND ${PENDING('e')} AND e.next_attempt_at <= now()
       ORDER BY e.next_attempt_at, e.id LIMIT greatest(0, $5::int - coalesce(b.n, 0))
     ) h
     WHERE w.endpoint IS NOT NULL AND (SELECT whole FROM walked)
     UNION ALL
     SELECT e.id, e.next_attempt_at, o.tenant, o.endpoint
     FROM webhook_events e CROSS JOIN LATERAL (SELECT ${TENANT('e')} AS tenant, ${ENDPOINT('e')} AS endpoint) o
     WHERE ${PENDING('e')} AND e.next_attempt_at <= now() AND NOT (SELECT whole FROM walked)
   ),
   ranked AS (
     SELECT c.*, row_number() OVER (PARTITION BY c.endpoint ORDER BY c.next_attempt_at, c.id) AS nth FROM candidates c
   ),
   open_endpoints AS (
     SELECT r.*, row_number() OVER (PARTITION BY r.tenant ORDER BY r.nth, r.next_attempt_at, r.id) AS in_tenant
     FROM ranked r LEFT JOIN busy_endpoint b ON b.endpoint = r.endpoint
     WHERE r.nth <= $5::int - coalesce(b.n, 0)
   ),
   wanted AS (
     SELECT o.id FROM open_endpoints o LEFT JOIN busy_tenant b ON b.tenant = o.tenant
     WHERE o.in_tenant <= $7::int - coalesce(b.n, 0)
     ORDER BY o.nth, o.next_attempt_at, o.id LIMIT $1
   ),
   due AS (
     SELECT id FROM webhook_events
     WHERE id = ANY (ARRAY(SELECT id FROM wanted)) AND ${PENDING('webhook_events')} AND next_attempt_at <= now()
     FOR UPDATE SKIP LOCKED
   )
   UPDATE webhook_events w SET attempts = w.attempts + 1, next_attempt_at = now() + $2::int * interval '1 millisecond'
   FROM due
   WHERE w.id = due.id
   RETURNING w.id, w.job_id, w.event, w.url, ${TENANT('w')} AS tenant, ${ENDPOINT('w')} AS endpoint, w.secret, w.headers, w.payload, w.attempts`,
);

export interface ClaimedEvent {
  id: string | number;
  /** Null once the job was deleted: its undelivered events are still delivered. */
  job_id: string | null;
  event: string;
  url: string;
  /** Its tenant, and its tenant and url (the endpoint), as the claim counts them. */
  tenant: string;
  endpoint: string;
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
  /** Most deliveries in flight to one endpoint, and for one tenant. */
  perEndpoint: number;
  perTenant: number;
  /** Deliveries this process has in flight, by endpoint and by tenant. */
  busyEndpoints: ReadonlyMap<string, number>;
  busyTenants: ReadonlyMap<string, number>;
  /** Most endpoints walked before every due event is ranked instead (CLAIM_WALK_ENDPOINTS). */
  walkEndpoints?: number;
}

export function claimWebhookEvents(db: Queryable, limits: ClaimLimits): Promise<ClaimedEvent[]> {
  return db.query<ClaimedEvent>(CLAIM, [
    limits.max,
    limits.leaseMs,
    [...limits.busyEndpoints.keys()],
    [...limits.busyEndpoints.values()],
    limits.perEndpoint,
    [...limits.busyTenants.keys()],
    limits.perTenant,
    [...limits.busyTenants.values()],
    limits.walkEndpoints ?? CLAIM_WALK_ENDPOINTS,
  ]);
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
