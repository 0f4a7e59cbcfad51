// A job's creation in one statement: the job, its stages and their tasks, the creation's history row and the
// wake-up of the dequeues waiting for its stage types. Run on its own (autocommit) it is one round trip and a
// transaction as short as the writes themselves: a new job's tasks are ready when the statement ends, not several
// round trips after their created_at. (The scheduler runs it inside its tick's transaction.)
import { statement, type Queryable } from '../db/db.js';
import type { Audit } from '../domain/audit.js';
import type { JobStatus } from '@jobnik/contracts';
import { createdCte } from './history.js';
import { readyPayloadSql } from './notify.js';
import { encodeStages, stageInsertSql, type NewStage } from './stages.js';
import { encodeTasks, TASK_INSERT_COLUMNS, TASK_INSERT_VALUES, taskRowsSql, taskRowsValues, type NewTaskFields } from './tasks.js';

export interface NewJob {
  tenantId: string;
  name: string;
  priority: number;
  status: JobStatus;
  data: unknown;
  userMetadata: unknown;
  idempotencyKey: string | null;
  requestHash: string | null;
  parallelStages: boolean;
  traceparent: string | null;
  tracestate: string | null;
  expiresAt: string | null;
  webhooks: unknown[];
  timeoutMs: number | null;
  audit: Audit;
}

/** A task of a stage inserted by the same statement: `stageOrd` is that stage's ord. */
export interface NewTreeTask extends NewTaskFields {
  stageOrd: number;
}

/** The NOTIFY the statement sends (delivered at commit): the stage types that got ready tasks. */
export interface ReadyWake {
  channel: string;
  stageTypes: string[];
  /** Every task made ready sorts at or after the statement's now() (no task names its own runAfter). */
  sinceNow: boolean;
}

/** The job, its stages, tasks, creation history and wake-up: one named statement (prepared once per connection). */
const INSERT_JOB_TREE = statement(
  'jobnik_insert_job_tree',
  `WITH ins AS (
     INSERT INTO jobs (tenant_id, name, priority, status, data, user_metadata, idempotency_key, request_hash,
                       parallel_stages, traceparent, tracestate, expires_at, webhooks, timeout_ms, deadline_at)
     VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb, $7, $8, $9, $10, $11, $12, $13::text::jsonb,
             $14::int, now() + $14::int * interval '1 millisecond')
     ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
     RETURNING id, tenant_id, status
   ),
   ${createdCte('ins', '$15', '$16::boolean')},
   st AS (${stageInsertSql('ins.id', '$17', 'ins')}),
   tk AS (
     INSERT INTO tasks (${TASK_INSERT_COLUMNS})
     SELECT x.id::uuid, ins.id, st.id, ${TASK_INSERT_VALUES}
     FROM ins CROSS JOIN ${taskRowsSql({ data: '$21', metadata: '$22', groups: '$23', runAfter: '$24', settings: '$25', ids: '$26' }, 'int')}
     JOIN st ON st.ord = g.s
     ORDER BY x.n
   ),
   woken AS (
     SELECT pg_notify($18, w.p) FROM (${readyPayloadSql('$19', '$20')}) w WHERE w.p IS NOT NULL AND EXISTS (SELECT 1 FROM ins)
   )
   SELECT (SELECT id FROM ins) AS id, (SELECT count(*) FROM woken) AS woken`,
);

/**
 * Inserts the job with its stages and tasks; returns the job's id, or null when the tenant's idempotency key is
 * already taken (then nothing is written and nobody is woken).
 */
export async function insertJobTree(db: Queryable, j: NewJob, stages: NewStage[], tasks: NewTreeTask[], wake: ReadyWake): Promise<string | null> {
  const encoded = encodeTasks(tasks, (t) => t.stageOrd);
  const rows = await db.query<{ id: string | null }>(
    INSERT_JOB_TREE,
    [j.tenantId, j.name, j.priority, j.status, JSON.stringify(j.data ?? null), JSON.stringify(j.userMetadata ?? {}),
      j.idempotencyKey, j.requestHash, j.parallelStages, j.traceparent, j.tracestate, j.expiresAt, JSON.stringify(j.webhooks),
      j.timeoutMs, j.audit.actor, j.audit.record, encodeStages(stages),
      wake.channel, wake.stageTypes, wake.sinceNow, ...taskRowsValues(encoded)],
  );
  return rows[0]?.id ?? null;
}
