// Where a short e2e run's time goes: one run as throughput.ts does it (PostgreSQL, the same workers, warm-up and
// producer), then each job's creation and its first lease and completion on the database's clock, and the workers'
// completions per 50 ms, all in ms from the clock's start. Diagnostic only (not in `pnpm bench`): no target.
// With track_commit_timestamp = on the jobs' commits are read too (null otherwise).
import pg from 'pg';
import { createDatabase } from './database.js';
import { isMain } from './main.js';
import { startManagerProcess } from './manager-process.js';
import { benchProducer, createTasks } from './producer.js';
import { epochMs, note, report, round } from './report.js';
import { settings } from './settings.js';
import { WorkerFleet } from './worker-fleet.js';

const STAGE = 'bench';
const BUCKET_MS = 50;

export async function runTimeline(tasks: number, workers: number): Promise<void> {
  const database = await createDatabase();
  const manager = await startManagerProcess({ store: 'postgres', databaseUrl: database.url, poolSize: settings.managerPoolSize });
  let fleet: WorkerFleet | undefined;
  const producer = benchProducer(manager.url);
  try {
    fleet = await WorkerFleet.start(new URL('./jobnik-worker-child.ts', import.meta.url), workers, { BENCH_MANAGER_URL: manager.url, BENCH_STAGE_TYPE: STAGE });
    const warm = settings.warmupPerWorker * workers;
    if (warm > 0) {
      await createTasks(producer, { stageType: STAGE, total: warm, chunk: settings.createChunk, concurrency: 1 });
      await fleet.waitFor(warm, 300_000);
    }
    const answered: number[] = [];
    const t0 = epochMs();
    await createTasks(producer, {
      stageType: STAGE,
      total: tasks,
      chunk: settings.createChunk,
      concurrency: settings.createConcurrency,
      onCreated: () => answered.push(round(epochMs() - t0)),
    });
    await fleet.waitFor(warm + tasks, 600_000);
    const done = fleet.completionTimes().slice(warm).map((t) => t - t0);
    const perBucket: number[] = [];
    for (const t of done) perBucket[Math.floor(t / BUCKET_MS)] = (perBucket[Math.floor(t / BUCKET_MS)] ?? 0) + 1;
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    try {
      const commits = (await c.query<{ on: string }>(`SELECT current_setting('track_commit_timestamp') AS on`)).rows[0]!.on === 'on';
      // The creation's history row is written in the job's transaction and never updated: its xmin is that transaction.
      const jobs = await c.query(
        `SELECT round((extract(epoch FROM h.at) * 1000 - $1)::numeric, 1)::float8 AS "createdMs",
           ${commits ? `round((extract(epoch FROM pg_xact_commit_timestamp(h.xmin)) * 1000 - $1)::numeric, 1)::float8` : 'NULL'} AS "committedMs",
           (SELECT round((extract(epoch FROM min(t.started_at)) * 1000 - $1)::numeric, 1)::float8 FROM tasks t WHERE t.job_id = h.job_id) AS "firstLeaseMs",
           (SELECT round((extract(epoch FROM min(t.finished_at)) * 1000 - $1)::numeric, 1)::float8 FROM tasks t WHERE t.job_id = h.job_id) AS "firstCompletionMs"
         FROM job_history h WHERE h.stage_id IS NULL AND h.from_status IS NULL AND h.at >= to_timestamp($1 / 1000.0) ORDER BY h.at`,
        [t0],
      );
      report({
        figure: 'e2e-timeline',
        value: round(done[done.length - 1]!),
        unit: 'ms (last completion)',
        tasks,
        workerProcesses: workers,
        jobs: jobs.rows,
        jobAnsweredMs: answered,
        firstCompletionMs: round(done[0]!),
        completionsPer50Ms: Array.from(perBucket, (n) => n ?? 0),
      });
    } finally {
      await c.end();
    }
  } finally {
    await producer.close();
    await fleet?.stop();
    await manager.stop();
    await database.drop();
  }
}

if (isMain(import.meta.url)) {
  for (let run = 1; run <= settings.repeat; run++) {
    note(`timeline N=${settings.tasks[0]} W=4 run ${run}`);
    await runTimeline(settings.tasks[0]!, 4);
  }
}
