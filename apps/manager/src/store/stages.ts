// SQL for the stages table: bulk insert with initial counters, reads, status changes.
import type { Stage, StageStatus } from '@jobnik/contracts';
import { statement, type Queryable } from '../db/db.js';
import type { Audit } from '../domain/audit.js';
import type { TenantScope } from '../domain/caller.js';
import { transitionsCte } from './history.js';
import type { NewTaskStatus } from '../domain/stage-machine.js';
import { toStage } from './mappers.js';
import { COUNTER_COLUMNS, stageCountsSql } from './rollup.js';
import type { JobRow, StageRow, StageState, StageViewRow } from './rows.js';
import { inScope } from './tenant-scope.js';

/**
 * Stages of queue `queue` that have not finished, as the partial index stages_open_by_queue reads them (its predicate,
 * written once so that both match): a task that has not ended belongs to one of them.
 */
export function openStagesOfQueue(s: string, queue: string): string {
  return `${s}.queue_id = ${queue} AND ${s}.status NOT IN ('COMPLETED', 'FAILED', 'ABORTED')`;
}

export interface NewStage {
  ord: number;
  type: string;
  queueId: number;
  status: StageStatus;
  data: unknown;
  userMetadata: unknown;
  failFast: boolean;
  /** WAITING, whatever the stages before it do, until released (hold). */
  held: boolean;
  taskDefaults: unknown;
  nWaiting: number;
  nPending: number;
  nPaused: number;
}

/** The stages as the JSON parameter of stageInsertSql. */
export function encodeStages(stages: NewStage[]): string {
  return JSON.stringify(
    stages.map((s) => ({
      ord: s.ord, type: s.type, queue_id: s.queueId, status: s.status, data: s.data ?? null, user_metadata: s.userMetadata ?? {},
      fail_fast: s.failFast, held: s.held, task_defaults: s.taskDefaults ?? {}, n_waiting: s.nWaiting, n_pending_or_running: s.nPending, n_paused: s.nPaused,
    })),
  );
}

/** INSERT of encodeStages' rows into job `jobId` (an expression over `from`, e.g. a CTE the statement inserts the job by). */
export function stageInsertSql(jobId: string, stagesParam: string, from = ''): string {
  return `INSERT INTO stages (job_id, ord, type, queue_id, status, data, user_metadata, fail_fast, held, task_defaults, n_waiting, n_pending_or_running, n_paused)
     SELECT ${jobId}, x.ord, x.type, x.queue_id, x.status, coalesce(x.data, 'null'::jsonb), coalesce(x.user_metadata, '{}'::jsonb),
            x.fail_fast, x.held, x.task_defaults, x.n_waiting, x.n_pending_or_running, x.n_paused
     FROM ${from ? `${from} CROSS JOIN ` : ''}jsonb_to_recordset(${stagesParam}::text::jsonb) AS x(ord int, type text, queue_id int, status text, data jsonb, user_metadata jsonb,
          fail_fast boolean, held boolean, task_defaults jsonb, n_waiting int, n_pending_or_running int, n_paused int)
     RETURNING id, ord`;
}

/** Inserts the stages of one job; returns their ids in the given order. */
export async function insertStages(tx: Queryable, jobId: string, stages: NewStage[]): Promise<string[]> {
  if (stages.length === 0) return [];
  const rows = await tx.query<{ id: string; ord: number }>(stageInsertSql('$1', '$2'), [jobId, encodeStages(stages)]);
  const byOrd = new Map(rows.map((r) => [r.ord, r.id]));
  return stages.map((s) => byOrd.get(s.ord)!);
}

const COUNTS = stageCountsSql('s');
const STAGE_SCOPED = `SELECT s.*, ${COUNTS.columns} FROM stages s JOIN jobs j ON j.id = s.job_id ${COUNTS.join}`;

const GET_STAGE = statement('jobnik_get_stage', `${STAGE_SCOPED} WHERE s.id = $1 AND ${inScope('j.tenant_id', '$2')}`);

export async function getStage(db: Queryable, id: string, scope: TenantScope): Promise<Stage | null> {
  const rows = await db.query<StageViewRow>(GET_STAGE, [id, scope]);
  return rows[0] ? toStage(rows[0]) : null;
}

const STAGES_OF_JOB = statement('jobnik_stages_of_job', `SELECT s.*, ${COUNTS.columns} FROM stages s ${COUNTS.join} WHERE s.job_id = $1 ORDER BY s.ord`);

export async function listStagesOfJob(db: Queryable, jobId: string): Promise<Stage[]> {
  const rows = await db.query<StageViewRow>(STAGES_OF_JOB, [jobId]);
  return rows.map(toStage);
}

/** Locks a stage and its job (job first, the order every path uses) for a transition. */
export async function lockStageWithJob(tx: Queryable, id: string, scope: TenantScope): Promise<{ stage: StageRow; job: JobRow } | null> {
  const jobRows = await tx.query<JobRow>(
    `SELECT j.* FROM jobs j JOIN stages s ON s.job_id = j.id WHERE s.id = $1 AND ${inScope('j.tenant_id', '$2')} FOR UPDATE OF j`,
    [id, scope],
  );
  if (!jobRows[0]) return null;
  const stageRows = await tx.query<StageRow>('SELECT * FROM stages WHERE id = $1 FOR UPDATE', [id]);
  return { stage: stageRows[0]!, job: jobRows[0] };
}

const LOCK_STAGES_OF_JOB = statement('jobnik_lock_stages_of_job', 'SELECT * FROM stages WHERE job_id = $1 ORDER BY ord FOR UPDATE');

export async function lockStagesOfJob(tx: Queryable, jobId: string): Promise<StageRow[]> {
  return tx.query<StageRow>(LOCK_STAGES_OF_JOB, [jobId]);
}

const STAGE_STATES_OF_JOB = statement('jobnik_stage_states_of_job', 'SELECT id, ord, type, status, held FROM stages WHERE job_id = $1 ORDER BY ord');

/** The order, type and status of every stage of the job, in order (what the job-level rules decide on). */
export async function stageStatesOfJob(tx: Queryable, jobId: string): Promise<StageState[]> {
  return tx.query<StageState>(STAGE_STATES_OF_JOB, [jobId]);
}

/** Counts tasks appended to a stage under `status`'s counter and sets the stage's (possibly new) status. */
export async function addTasksToStage(tx: Queryable, stageId: string, taskStatus: NewTaskStatus, count: number, stageStatus: StageStatus): Promise<void> {
  const col = COUNTER_COLUMNS[taskStatus];
  await tx.query(`UPDATE stages SET ${col} = ${col} + $2, status = $3, updated_at = now() WHERE id = $1`, [stageId, count, stageStatus]);
}

const SET_STAGE_STATUS = statement(
  'jobnik_set_stage_status',
  `WITH old AS (SELECT id, status FROM stages WHERE id = ANY($1::uuid[])),
     changed AS (
       UPDATE stages s SET status = $2, updated_at = now(),
         started_at = CASE WHEN $2 = 'IN_PROGRESS' THEN coalesce(s.started_at, now()) ELSE s.started_at END,
         finished_at = CASE WHEN $2 IN ('COMPLETED', 'FAILED', 'ABORTED') THEN now() ELSE NULL END
       FROM old WHERE s.id = old.id
       RETURNING (SELECT j.tenant_id FROM jobs j WHERE j.id = s.job_id) AS tenant_id, s.job_id, s.id AS stage_id,
         old.status AS from_status, s.status AS to_status
     ),
     ${transitionsCte('changed', '$3', 'NULL::jsonb', '$4::boolean')}
     SELECT 1`,
);

/** Sets the stages' status and records each transition (by `audit`'s actor) in the same statement. */
export async function setStageStatus(tx: Queryable, ids: string[], status: StageStatus, audit: Audit): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(
    SET_STAGE_STATUS,
    [ids, status, audit.actor, audit.record],
  );
}

/** Clears a stage's hold (read under the caller's lock of the stage): from now on it opens as any other. */
export async function releaseHold(tx: Queryable, id: string): Promise<void> {
  await tx.query('UPDATE stages SET held = false, updated_at = now() WHERE id = $1', [id]);
}
