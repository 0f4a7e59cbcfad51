// The roll-up: every statement that changes task statuses ends in this CTE, which turns the
// (stage_id, old_status, new_status) rows of its changes into one counter update per stage touched.
import type { TaskStatus } from '@jobnik/contracts';
import type { TaskCounts } from '../domain/stage-machine.js';
import type { CounterColumns, StageRow } from './rows.js';
import { leaseNotSwept } from './sweep-watermark.js';

/**
 * The stage row's counter of each task status. PENDING and IN_PROGRESS share one counter: a lease moves a task
 * between them without touching its stage, so the leases of a big stage do not queue on its row behind its
 * acknowledgements (each holds the row until it commits). How many of them run is read from the running tasks
 * when a stage is read (stageCountsSql).
 */
export const COUNTER_COLUMNS: Record<TaskStatus, string> = {
  WAITING: 'n_waiting',
  PENDING: 'n_pending_or_running',
  IN_PROGRESS: 'n_pending_or_running',
  PAUSED: 'n_paused',
  COMPLETED: 'n_completed',
  FAILED: 'n_failed',
  ABORTED: 'n_aborted',
};

/** Each stored counter and the statuses it counts. */
const COUNTERS: [string, TaskStatus[]][] = [...new Set(Object.values(COUNTER_COLUMNS))].map((col) => [
  col,
  (Object.keys(COUNTER_COLUMNS) as TaskStatus[]).filter((st) => COUNTER_COLUMNS[st] === col),
]);

/** Stage columns the settle step needs, as returned by the roll-up (running tasks counted as pending). */
export const SETTLE_COLUMNS = `s.id, s.job_id, s.ord, s.type, s.status, s.fail_fast, s.queue_id,
  s.n_waiting, s.n_pending_or_running AS n_pending, 0 AS n_in_progress, s.n_paused, s.n_completed, s.n_failed, s.n_aborted`;

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

/** How many tasks a stored stage row counts, whatever their status. */
export function taskTotalOf(r: Pick<StageRow, 'n_waiting' | 'n_pending_or_running' | 'n_paused' | 'n_completed' | 'n_failed' | 'n_aborted'>): number {
  return r.n_waiting + r.n_pending_or_running + r.n_paused + r.n_completed + r.n_failed + r.n_aborted;
}

/**
 * `rollup AS (UPDATE stages …)` over a CTE named `changes` with columns stage_id, old_status, new_status
 * (old_status NULL for inserts). A stage whose counters do not change is not touched (a lease, a retry, a lost
 * task back to PENDING), unless `extraSet` is given: assignments for every stage in `changes`, e.g. moving a
 * PENDING stage to IN_PROGRESS.
 */
export function rollupCte(changes = 'changes', extraSet = ''): string {
  const list = (statuses: TaskStatus[]) => statuses.map((st) => `'${st}'`).join(', ');
  const deltas = COUNTERS.map(
    ([col, statuses]) => `(count(*) FILTER (WHERE new_status IN (${list(statuses)})) - count(*) FILTER (WHERE old_status IN (${list(statuses)})))::int AS ${col}`,
  ).join(',\n      ');
  const sets = COUNTERS.map(([col]) => `${col} = s.${col} + d.${col}`).join(', ');
  const changed = extraSet ? '' : ` AND (${COUNTERS.map(([col]) => `d.${col} <> 0`).join(' OR ')})`;
  return `rollup AS (
    UPDATE stages s SET ${sets}, updated_at = now()${extraSet ? `, ${extraSet}` : ''}
    FROM (SELECT stage_id,
      ${deltas}
      FROM ${changes} GROUP BY stage_id) d
    WHERE s.id = d.stage_id${changed}
    RETURNING ${SETTLE_COLUMNS})`;
}

/**
 * A stage's (alias `s`) task counts as users read them: the stored PENDING-or-running counter is split by counting
 * its running tasks, with their Σ progress (`running_progress`), in the same snapshot. The count reads the running
 * tasks of the stage's queue (tasks_running), and nothing for a stage that never started — no task of it was ever
 * leased (the lease that starts a stage sets its started_at, which nothing clears) — or has neither pending nor
 * running tasks. So a new job's read (the create's answer) reads no task: under a held xmin horizon tasks_running
 * keeps an entry for every lease taken since. (A partial index by stage cost the million-task backlog ~10 % of
 * its rate in bench:backlog.)
 * `columns` go in the select list, `join` after the FROM item of `s`.
 */
export function stageCountsSql(s = 's', run = 'run'): { columns: string; join: string } {
  return {
    columns: `${s}.n_waiting, ${s}.n_pending_or_running - ${run}.n AS n_pending, ${run}.n AS n_in_progress, ${s}.n_paused,
      ${s}.n_completed, ${s}.n_failed, ${s}.n_aborted, ${run}.progress AS running_progress`,
    join: `CROSS JOIN LATERAL (SELECT count(*)::int AS n, coalesce(sum(rt.progress), 0)::float8 AS progress FROM tasks rt
      WHERE ${s}.started_at IS NOT NULL AND ${s}.n_pending_or_running > 0
        AND rt.queue_id = ${s}.queue_id AND rt.status = 'IN_PROGRESS' AND ${leaseNotSwept('rt')} AND rt.stage_id = ${s}.id) ${run}`,
  };
}
