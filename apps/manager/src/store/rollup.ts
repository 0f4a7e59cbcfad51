// The roll-up: every statement that changes task statuses ends in this CTE, which turns the
// (stage_id, old_status, new_status) rows of its changes into one counter update per stage touched.
import type { TaskStatus } from '@jobnik/contracts';
import type { TaskCounts } from '../domain/stage-machine.js';
import type { CounterColumns, StageRow } from './rows.js';

export const COUNTER_COLUMNS: Record<TaskStatus, string> = {
  WAITING: 'n_waiting',
  PENDING: 'n_pending',
  IN_PROGRESS: 'n_in_progress',
  PAUSED: 'n_paused',
  COMPLETED: 'n_completed',
  FAILED: 'n_failed',
  ABORTED: 'n_aborted',
};

/** Stage columns the settle step needs, as returned by the roll-up. */
export const SETTLE_COLUMNS = `s.id, s.job_id, s.ord, s.type, s.status, s.fail_fast, s.queue_id,
  s.n_waiting, s.n_pending, s.n_in_progress, s.n_paused, s.n_completed, s.n_failed, s.n_aborted`;

/** A stage as the roll-up returns it: what settle needs to decide whether it reached a final state. */
export type StageCountersRow = Pick<StageRow, 'id' | 'job_id' | 'ord' | 'type' | 'status' | 'fail_fast' | 'queue_id'> & CounterColumns;

export function countsOf(r: Pick<StageCountersRow, `n_${string}` & keyof StageCountersRow>): TaskCounts {
  return {
    waiting: r.n_waiting,
    pending: r.n_pending,
    inProgress: r.n_in_progress,
    paused: r.n_paused,
    completed: r.n_completed,
    failed: r.n_failed,
    aborted: r.n_aborted,
  };
}

/**
 * `rollup AS (UPDATE stages …)` over a CTE named `changes` with columns stage_id, old_status, new_status
 * (old_status NULL for inserts). extraSet adds assignments, e.g. moving a PENDING stage to IN_PROGRESS.
 */
export function rollupCte(changes = 'changes', extraSet = ''): string {
  const entries = Object.entries(COUNTER_COLUMNS);
  const deltas = entries
    .map(([st, col]) => `(count(*) FILTER (WHERE new_status = '${st}') - count(*) FILTER (WHERE old_status = '${st}'))::int AS ${col}`)
    .join(',\n      ');
  const sets = entries.map(([, col]) => `${col} = s.${col} + d.${col}`).join(', ');
  return `rollup AS (
    UPDATE stages s SET ${sets}, updated_at = now()${extraSet ? `, ${extraSet}` : ''}
    FROM (SELECT stage_id,
      ${deltas}
      FROM ${changes} GROUP BY stage_id) d
    WHERE s.id = d.stage_id
    RETURNING ${SETTLE_COLUMNS})`;
}

/**
 * Σ progress of a stage's running tasks (alias `s`), read through the running-tasks index of its queue;
 * 0 without reading tasks when none runs.
 */
export function runningProgressSql(s = 's'): string {
  return `CASE WHEN ${s}.n_in_progress = 0 THEN 0::float8 ELSE (SELECT coalesce(sum(rt.progress), 0)::float8 FROM tasks rt
    WHERE rt.queue_id = ${s}.queue_id AND rt.status = 'IN_PROGRESS' AND rt.stage_id = ${s}.id) END`;
}
