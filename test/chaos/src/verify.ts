// The verdict after a chaos run, from the database itself (task rows, stage counters), the manager's API
// (job status and percentage) and the workers' logs (executions, completions the SDK reported applied).
import pg from 'pg';
import type { ProducerClient } from '@jobnik/sdk';
import type { ExecutionLogs } from './execution-log.js';

export interface Verdict {
  /** Tasks not COMPLETED (or missing). */
  lost: number;
  /** Tasks whose completion was applied for more than one execution, plus stage counters counting more completions than rows. */
  doubleCompletions: number;
  duplicateExecutions: number;
  executions: number;
  statusCounts: Record<string, number>;
  /** Highest attempt count of any task. */
  maxAttemptsUsed: number;
  problems: string[];
}

/** The stage row's counters and the task statuses each counts (PENDING and IN_PROGRESS share one: a lease does not touch its stage). */
const COUNTERS: [string, string[]][] = [
  ['waiting', ['WAITING']],
  ['pending_or_running', ['PENDING', 'IN_PROGRESS']],
  ['paused', ['PAUSED']],
  ['completed', ['COMPLETED']],
  ['failed', ['FAILED']],
  ['aborted', ['ABORTED']],
];

export async function verifyRun(databaseUrl: string, producer: ProducerClient, jobIds: string[], expectedTasks: number, logs: ExecutionLogs): Promise<Verdict> {
  const problems: string[] = [];
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const byStatus = await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM tasks GROUP BY status`);
    const statusCounts = Object.fromEntries(byStatus.rows.map((r) => [r.status, r.n]));
    const total = byStatus.rows.reduce((a, r) => a + r.n, 0);
    const completed = statusCounts.COMPLETED ?? 0;
    if (total !== expectedTasks) problems.push(`${total} task rows, expected ${expectedTasks}`);
    if (completed !== expectedTasks) problems.push(`${completed} tasks COMPLETED of ${expectedTasks}: ${JSON.stringify(statusCounts)}`);

    const facts = await db.query<{ wrong_result: number; over_attempts: number; max_attempts_used: number }>(
      `SELECT count(*) FILTER (WHERE status = 'COMPLETED' AND result->>'taskId' IS DISTINCT FROM id::text)::int AS wrong_result,
              count(*) FILTER (WHERE attempts > max_attempts)::int AS over_attempts,
              coalesce(max(attempts), 0)::int AS max_attempts_used
       FROM tasks`,
    );
    const f = facts.rows[0]!;
    if (f.wrong_result) problems.push(`${f.wrong_result} completed tasks whose result names another task`);
    if (f.over_attempts) problems.push(`${f.over_attempts} tasks with attempts beyond maxAttempts`);

    // Stage counters must equal the rows: a completion applied twice would count one task twice.
    const stages = await db.query<Record<string, number | string>>(
      `SELECT s.id, ${COUNTERS.map(([c, statuses]) => `s.n_${c} AS n_${c}, count(t.id) FILTER (WHERE t.status IN (${statuses.map((st) => `'${st}'`).join(', ')}))::int AS r_${c}`).join(', ')}
       FROM stages s LEFT JOIN tasks t ON t.stage_id = s.id GROUP BY s.id`,
    );
    let counterExcess = 0;
    for (const s of stages.rows) {
      for (const [c] of COUNTERS) {
        if (s[`n_${c}`] !== s[`r_${c}`]) problems.push(`stage ${s.id}: counter ${c} = ${s[`n_${c}`]} but ${s[`r_${c}`]} rows`);
      }
      counterExcess += Math.max(0, Number(s.n_completed) - Number(s.r_completed));
    }

    // The rows the run completed, each named by its result and executed at least once according to the logs.
    const completedIds = await db.query<{ id: string }>(`SELECT id FROM tasks WHERE status = 'COMPLETED'`);
    const neverExecuted = completedIds.rows.filter((r) => !logs.executionsByTask.has(r.id)).length;
    if (neverExecuted) problems.push(`${neverExecuted} tasks COMPLETED without any logged execution`);

    let sdkDoubles = 0;
    for (const [taskId, executions] of logs.completionsByTask) {
      if (executions.size > 1) {
        sdkDoubles++;
        if (sdkDoubles <= 5) problems.push(`task ${taskId}: completion applied for ${executions.size} executions (${[...executions].join(', ')})`);
      }
    }

    for (const id of jobIds) {
      const job = await producer.getJob(id, { include: 'stages' });
      if (job.status !== 'COMPLETED' || job.percentage !== 100) problems.push(`job ${id}: ${job.status} ${job.percentage}%`);
    }

    const doubleCompletions = sdkDoubles + counterExcess;
    return {
      lost: expectedTasks - completed,
      doubleCompletions,
      duplicateExecutions: logs.executions - expectedTasks,
      executions: logs.executions,
      statusCounts,
      maxAttemptsUsed: f.max_attempts_used,
      problems,
    };
  } finally {
    await db.end();
  }
}
