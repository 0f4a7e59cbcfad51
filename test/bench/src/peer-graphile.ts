// The peer in the same run: graphile-worker on the same PostgreSQL server and machine, the same N and
// number of worker processes, concurrency 10 each, local queue + batched completion, noop task.
// Time from the first addJobs to the moment its jobs table is empty (completed jobs are deleted).
import pg from 'pg';
import { makeWorkerUtils } from 'graphile-worker';
import { createDatabase } from './database.js';
import { isMain } from './main.js';
import { epochMs, note, report, round } from './report.js';
import { settings } from './settings.js';
import { WorkerFleet } from './worker-fleet.js';

export interface PeerResult {
  tasks: number;
  workers: number;
  seconds: number;
  tasksPerSecond: number;
  createSeconds: number;
}

export async function runGraphile(tasks: number, workers: number): Promise<PeerResult> {
  const database = await createDatabase('jobnik_bench_peer');
  // Our own pool, so a connection the database's drop (WITH FORCE) terminates is an event we handle,
  // not an unhandled 'error' that takes the benchmark down.
  const pool = new pg.Pool({ connectionString: database.url });
  pool.on('error', () => undefined);
  const utils = await makeWorkerUtils({ pgPool: pool });
  let fleet: WorkerFleet | undefined;
  const probe = new pg.Client({ connectionString: database.url });
  try {
    await utils.migrate();
    await probe.connect();
    const p = settings.peer;
    fleet = await WorkerFleet.start(new URL('./graphile-worker-child.ts', import.meta.url), workers, {
      BENCH_DATABASE_URL: database.url,
      BENCH_PEER_CONCURRENCY: String(p.concurrency),
      BENCH_PEER_LOCAL_QUEUE: String(p.localQueueSize),
      BENCH_PEER_BATCH_DELAY_MS: String(p.completeJobBatchDelay),
    });
    const addAll = async (total: number, concurrency: number) => {
      let next = 0;
      const lane = async () => {
        while (next < total) {
          const from = next;
          const n = Math.min(settings.createChunk, total - from);
          next += n;
          await utils.addJobs(Array.from({ length: n }, (_, i) => ({ identifier: 'noop', payload: { i: from + i } })));
        }
      };
      await Promise.all(Array.from({ length: concurrency }, lane));
    };
    // Done when every job is gone from the table (graphile-worker deletes a job when it completes).
    const drained = async () => {
      const deadline = Date.now() + 600_000;
      for (;;) {
        const r = await probe.query<{ n: number }>('SELECT count(*)::int AS n FROM graphile_worker._private_jobs');
        if (r.rows[0]!.n === 0) return;
        if (Date.now() > deadline) throw new Error('graphile-worker did not finish in time');
        await new Promise((res) => setTimeout(res, 5));
      }
    };
    // The same warm-up as ours (settings.warmupPerWorker), before the clock starts.
    const warm = settings.warmupPerWorker * workers;
    if (warm > 0) {
      await addAll(warm, 1);
      await drained();
    }
    const t0 = epochMs();
    await addAll(tasks, settings.createConcurrency);
    const created = epochMs();
    await drained();
    const end = epochMs();
    if (fleet.completions.length < warm + tasks) await fleet.waitFor(warm + tasks, 10_000);
    const seconds = (end - t0) / 1000;
    return { tasks, workers, seconds, tasksPerSecond: tasks / seconds, createSeconds: (created - t0) / 1000 };
  } finally {
    await fleet?.stop();
    await probe.end().catch(() => undefined);
    await utils.release();
    await pool.end();
    await database.drop();
  }
}

export function reportPeer(r: PeerResult, run: number): void {
  report({
    figure: 'e2e-throughput-graphile-worker',
    value: Math.round(r.tasksPerSecond),
    unit: 'tasks/s',
    run,
    version: '0.17.3',
    tasks: r.tasks,
    workerProcesses: r.workers,
    seconds: round(r.seconds, 2),
    createSeconds: round(r.createSeconds, 2),
    config: { concurrency: settings.peer.concurrency, localQueueSize: settings.peer.localQueueSize, completeJobBatchDelay: settings.peer.completeJobBatchDelay },
  });
}

if (isMain(import.meta.url)) {
  for (const n of settings.tasks) {
    for (const w of settings.workers) {
      for (let run = 1; run <= settings.repeat; run++) {
        note(`graphile-worker N=${n} W=${w} run ${run}`);
        reportPeer(await runGraphile(n, w), run);
      }
    }
  }
}
