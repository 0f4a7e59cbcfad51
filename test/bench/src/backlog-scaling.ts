// Backlog scaling: dequeue+ack throughput of W worker processes with a small (10k) and a large (1M)
// backlog of pending tasks, measured over the same fixed window of completions after a warm-up; the
// ratio large/small shows whether the dequeue stays O(log n). The worker processes first warm up on a
// queue of their own (settings.warmupPerWorker) while the backlog's queue is paused. The large database
// also gets the dequeue EXPLAIN before the workers start.
import pg from 'pg';
import { checkpoint, checkpointCount, createDatabase } from './database.js';
import { explainDequeue, reportExplain } from './explain-dequeue.js';
import { isMain } from './main.js';
import { startManagerProcess } from './manager-process.js';
import { benchProducer, createTasks } from './producer.js';
import { median, note, report, round } from './report.js';
import { seedPending, topUpPending } from './seed.js';
import { settings, targets } from './settings.js';
import { WorkerFleet } from './worker-fleet.js';

const STAGE = 'backlog';
const WARMUP_STAGE = 'backlog-warmup';


export interface BacklogResult {
  /** Tasks/s of each window. */
  rates: number[];
  /** The tasks table with its indexes once seeded, against the server's shared_buffers (MB). */
  tasksTableMb: number;
  sharedBuffersMb: number;
  /** GET /queues (each queue's depth, as dashboards, autoscalers and /metrics read it) once seeded: median of 5, ms. */
  depthReadMs: number;
  /** GET /v1/stages/{id}/summary of the backlog's stage (its counts, retried tasks among them): median of 5, ms. */
  v1SummaryReadMs: number;
  /** Checkpoints the server made while the windows ran (from the queue's resume to each window's end). */
  checkpointsInWindows: number;
}

/** Rates (tasks/s) of `repeat` windows over one seeded backlog (each window with fresh worker processes). */
export async function runBacklog(pending: number, repeat: number, onSeeded?: (databaseUrl: string) => Promise<void>): Promise<BacklogResult> {
  const { warmup, window, workers } = settings.backlog;
  const database = await createDatabase();
  const manager = await startManagerProcess({ store: 'postgres', databaseUrl: database.url, poolSize: settings.managerPoolSize });
  const producer = benchProducer(manager.url);
  const rates: number[] = [];
  let sizes = { tasksTableMb: NaN, sharedBuffersMb: NaN };
  let depthReadMs = NaN;
  let v1SummaryReadMs = NaN;
  let checkpointsInWindows = 0;
  try {
    note(`seeding ${pending} pending tasks`);
    const seeded = await seedPending(database.url, producer, STAGE, pending);
    sizes = await tableSizes(database.url);
    depthReadMs = await timeReads(manager.url, '/queues');
    v1SummaryReadMs = await timeReads(manager.url, `/v1/stages/${seeded.stageId}/summary`);
    await onSeeded?.(database.url);
    for (let run = 0; run < repeat; run++) {
      // Every window starts from the same backlog (the previous window's workers drained some of it).
      if (run > 0) await topUpPending(database.url, seeded, pending);
      await producer.updateQueue(STAGE, { paused: true });
      const { batch } = settings.backlog;
      const fleet = await WorkerFleet.start(new URL('./jobnik-worker-child.ts', import.meta.url), workers, {
        BENCH_MANAGER_URL: manager.url,
        BENCH_STAGE_TYPE: STAGE,
        BENCH_WARMUP_STAGE_TYPE: WARMUP_STAGE,
        BENCH_WORKER_BATCH: String(batch),
        BENCH_ACK_BATCH: String(batch),
        BENCH_WORKER_CONCURRENCY: String(batch * 2),
      });
      try {
        if (settings.backlog.checkpoint) await checkpoint();
        const warm = settings.warmupPerWorker * workers;
        if (warm > 0) {
          await createTasks(producer, { stageType: WARMUP_STAGE, total: warm, chunk: settings.createChunk, concurrency: 1 });
          await fleet.waitFor(warm, 300_000);
        }
        const checkpoints0 = await checkpointCount();
        await producer.updateQueue(STAGE, { paused: false });
        const from = warm + warmup;
        await fleet.waitFor(from + window, 600_000);
        checkpointsInWindows += (await checkpointCount()) - checkpoints0;
        rates.push(window / ((fleet.timeOf(from + window) - fleet.timeOf(from)) / 1000));
      } finally {
        await fleet.stop();
      }
    }
  } finally {
    await producer.close();
    await manager.stop();
    await database.drop();
  }
  return { rates, ...sizes, depthReadMs, v1SummaryReadMs, checkpointsInWindows };
}

/** Median of 5 sequential GETs of `path`, ms. */
async function timeReads(url: string, path: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}${path}`);
    await res.text();
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
    times.push(performance.now() - t0);
  }
  return round(median(times), 2);
}

async function tableSizes(url: string): Promise<{ tasksTableMb: number; sharedBuffersMb: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ t: string; sb: string }>(
      `SELECT pg_total_relation_size('tasks')::text AS t, (SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers')::text AS sb`,
    );
    return { tasksTableMb: round(Number(r.rows[0]!.t) / 2 ** 20), sharedBuffersMb: round(Number(r.rows[0]!.sb) / 2 ** 20) };
  } finally {
    await c.end();
  }
}

export function reportBacklog(smallRun: BacklogResult, largeRun: BacklogResult): void {
  const small = smallRun.rates;
  const large = largeRun.rates;
  const { warmup, window, workers } = settings.backlog;
  const setup = { workerProcesses: workers, batch: settings.backlog.batch, processWarmupTasks: settings.warmupPerWorker * workers, warmupTasks: warmup, windowTasks: window };
  small.forEach((v, i) => report({ figure: 'backlog-throughput-small', value: Math.round(v), unit: 'tasks/s', run: i + 1, pending: settings.backlog.small, ...setup }));
  large.forEach((v, i) => report({ figure: 'backlog-throughput-large', value: Math.round(v), unit: 'tasks/s', run: i + 1, pending: settings.backlog.large, ...setup }));
  report({
    figure: 'backlog-ratio',
    value: round(median(large) / median(small), 2),
    unit: 'large/small',
    target: targets.backlogRatio,
    smallMedian: Math.round(median(small)),
    largeMedian: Math.round(median(large)),
    tasksTableMb: { small: smallRun.tasksTableMb, large: largeRun.tasksTableMb },
    queueDepthReadMs: { small: smallRun.depthReadMs, large: largeRun.depthReadMs },
    v1StageSummaryReadMs: { small: smallRun.v1SummaryReadMs, large: largeRun.v1SummaryReadMs },
    sharedBuffersMb: largeRun.sharedBuffersMb,
    pending: { small: settings.backlog.small, large: settings.backlog.large },
    checkpointBeforeWindows: settings.backlog.checkpoint,
    checkpointsInWindows: { small: smallRun.checkpointsInWindows, large: largeRun.checkpointsInWindows },
  });
}

if (isMain(import.meta.url)) {
  const small = await runBacklog(settings.backlog.small, settings.backlog.repeat);
  const large = await runBacklog(settings.backlog.large, settings.backlog.repeat, async (url) => {
    const r = await explainDequeue(url, STAGE);
    console.error(r.plan);
    reportExplain(r, settings.backlog.large, 1);
  });
  reportBacklog(small, large);
}
