// SQL the /v1 API needs for stages: the held flag (startAsWaiting), retried counts and trace context for their
// view (a stage is held by its creation: CreateStage.hold), the global stage list, user metadata.
import type { Stage } from '@jobnik/contracts';
import type { Queryable } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { toStage } from './mappers.js';
import { Where } from './pagination.js';
import { stageCountsSql } from './rollup.js';
import type { StageViewRow } from './rows.js';
import { inScope } from './tenant-scope.js';

export interface V1StageExtrasRow {
  id: string;
  held: boolean;
  retried: number;
  traceparent: string | null;
  tracestate: string | null;
}

/** Per stage: held, its ready tasks that ran before (their RETRIED), its job's trace context. */
export async function v1StageExtras(db: Queryable, stageIds: string[]): Promise<Map<string, V1StageExtrasRow>> {
  if (stageIds.length === 0) return new Map();
  const rows = await db.query<V1StageExtrasRow>(
    `SELECT s.id, s.held, j.traceparent, j.tracestate,
       (SELECT count(*) FROM tasks t WHERE t.stage_id = s.id AND t.status IN ('PENDING', 'PAUSED') AND t.attempts > 0)::int AS retried
     FROM stages s JOIN jobs j ON j.id = s.job_id WHERE s.id = ANY($1::uuid[])`,
    [stageIds],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** Per job: its stages, and how many of them completed (their job percentage counts stages, not tasks). */
export async function stagesCompletedOfJobs(db: Queryable, jobIds: string[]): Promise<Map<string, { completed: number; total: number }>> {
  if (jobIds.length === 0) return new Map();
  const rows = await db.query<{ job_id: string; completed: number; total: number }>(
    `SELECT job_id, count(*) FILTER (WHERE status = 'COMPLETED')::int AS completed, count(*)::int AS total
     FROM stages WHERE job_id = ANY($1::uuid[]) GROUP BY job_id`,
    [jobIds],
  );
  return new Map(rows.map((r) => [r.job_id, { completed: r.completed, total: r.total }]));
}

/** Stages of every job in scope, by job and order, optionally of one job and one type. */
export async function listStagesWhere(db: Queryable, f: { jobId?: string; type?: string }, scope: TenantScope): Promise<Stage[]> {
  const where = new Where();
  if (scope !== null) where.add('j.tenant_id = ?', scope);
  if (f.jobId) where.add('s.job_id = ?::uuid', f.jobId);
  if (f.type) where.add('s.type = ?', f.type);
  const counts = stageCountsSql('s');
  const rows = await db.query<StageViewRow>(
    `SELECT s.*, ${counts.columns} FROM stages s JOIN jobs j ON j.id = s.job_id ${counts.join} ${where} ORDER BY s.job_id, s.ord`,
    where.params,
  );
  return rows.map(toStage);
}

/** Replaces a stage's user metadata; false when the stage is not in scope. */
export async function setStageUserMetadata(db: Queryable, id: string, userMetadata: unknown, scope: TenantScope): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    `UPDATE stages s SET user_metadata = $2::text::jsonb, updated_at = now() FROM jobs j
     WHERE s.id = $1 AND j.id = s.job_id AND ${inScope('j.tenant_id', '$3')} RETURNING s.id`,
    [id, JSON.stringify(userMetadata), scope],
  );
  return rows.length > 0;
}
