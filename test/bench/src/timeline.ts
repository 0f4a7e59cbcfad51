// Where a short e2e run's time goes: one run of throughput.ts (PostgreSQL, 4 worker processes, its warm-up and
// producer), then each job's creation and its first lease and completion on the database's clock, and the workers'
// completions per 50 ms, all in ms from the clock's start. Diagnostic only (not in `pnpm bench`): no target.
// With track_commit_timestamp = on the jobs' commits are read too (null otherwise).
import pg from 'pg';
import { isMain } from './main.js';
import { note, report, round } from './report.js';
import { settings } from './settings.js';
import { runThroughput } from './throughput.js';

const BUCKET_MS = 50;

/** Each measured job's creation, commit, first lease and first completion, in ms from t0 (the database's clock). */
async function jobTimes(databaseUrl: string, t0: number): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const commits = (await c.query<{ on: string }>(`SELECT current_setting('track_commit_timestamp') AS on`)).rows[0]!.on === 'on';
    const ms = (ts: string) => `round((extract(epoch FROM ${ts}) * 1000 - $1)::numeric, 1)::float8`;
    // The creation's history row is written in the job's transaction and never updated: its xmin is that transaction.
    const r = await c.query(
      `SELECT ${ms('h.at')} AS "createdMs", ${commits ? ms('pg_xact_commit_timestamp(h.xmin)') : 'NULL'} AS "committedMs",
         (SELECT ${ms('min(t.started_at)')} FROM tasks t WHERE t.job_id = h.job_id) AS "firstLeaseMs",
         (SELECT ${ms('min(t.finished_at)')} FROM tasks t WHERE t.job_id = h.job_id) AS "firstCompletionMs"
       FROM job_history h WHERE h.stage_id IS NULL AND h.from_status IS NULL AND h.at >= to_timestamp($1 / 1000.0) ORDER BY h.at`,
      [t0],
    );
    return r.rows;
  } finally {
    await c.end();
  }
}

export async function runTimeline(tasks: number, workers: number): Promise<void> {
  const answered: number[] = [];
  await runThroughput('postgres', tasks, workers, {}, {
    onCreated: (ms) => answered.push(round(ms)),
    inspect: async ({ databaseUrl, t0, completions }) => {
      const done = completions.map((t) => t - t0);
      const perBucket: number[] = [];
      for (const t of done) perBucket[Math.floor(t / BUCKET_MS)] = (perBucket[Math.floor(t / BUCKET_MS)] ?? 0) + 1;
      report({
        figure: 'e2e-timeline',
        value: round(done[done.length - 1]!),
        unit: 'ms (last completion)',
        tasks,
        workerProcesses: workers,
        jobs: await jobTimes(databaseUrl, t0),
        jobAnsweredMs: answered,
        firstCompletionMs: round(done[0]!),
        completionsPer50Ms: Array.from(perBucket, (n) => n ?? 0),
      });
    },
  });
}

if (isMain(import.meta.url)) {
  for (let run = 1; run <= settings.repeat; run++) {
    note(`timeline N=${settings.tasks[0]} W=4 run ${run}`);
    await runTimeline(settings.tasks[0]!, 4);
  }
}
