// Issue 21: what the history costs. (1) End-to-end throughput with history on and off, alternating runs on
// PostgreSQL (same N and W, so both see the same machine load): the cost is 1 − on/off of the medians.
// (2) Retention prunes the history of one job of `pruneTasks` tasks while workers run a fresh batch: the hot
// path's throughput then against the same batch just before, the longest pause between two completions, and how
// long the pruning took.
import pg from 'pg';
import { createDatabase } from './database.js';
import { isMain } from './main.js';
import { startManagerProcess } from './manager-process.js';
import { benchProducer, createTasks } from './producer.js';
import { epochMs, median, note, report, round } from './report.js';
import { settings, targets } from './settings.js';
import { runThroughput, type ThroughputResult } from './throughput.js';
import { WorkerFleet } from './worker-fleet.js';

export interface HistoryCostResult {
  on: ThroughputResult[];
  off: ThroughputResult[];
}

export async function runHistoryCost(): Promise<HistoryCostResult> {
  const { tasks, workers, repeat } = settings.history;
  const on: ThroughputResult[] = [];
  const off: ThroughputResult[] = [];
  for (let run = 1; run <= repeat; run++) {
    for (const enabled of [true, false]) {
      note(`history ${enabled ? 'on' : 'off'}: e2e postgres N=${tasks} W=${workers} run ${run}`);
      const r = await runThroughput('postgres', tasks, workers, { JOBNIK_HISTORY_ENABLED: String(enabled) });
      report({ figure: `e2e-throughput-history-${enabled ? 'on' : 'off'}`, value: Math.round(r.tasksPerSecond), unit: 'tasks/s', run, tasks, workerProcesses: workers,
        managerCpuMsPerTask: round(r.cpuMsPerTask.manager, 3), postgresCpuMsPerTask: r.cpuMsPerTask.postgres === null ? null : round(r.cpuMsPerTask.postgres, 3) });
      (enabled ? on : off).push(r);
    }
  }
  return { on, off };
}

export function reportHistoryCost({ on, off }: HistoryCostResult): void {
  const withIt = median(on.map((r) => r.tasksPerSecond));
  const without = median(off.map((r) => r.tasksPerSecond));
  // CPU per task is less sensitive to other load on the machine than tasks/s: reported beside it.
  const cpu = (runs: ThroughputResult[], who: 'manager' | 'postgres') => round(median(runs.map((r) => r.cpuMsPerTask[who] ?? 0)), 4);
  report({ figure: 'history-cost', value: round((1 - withIt / without) * 100, 1), unit: '%', target: targets.historyCostPercent, summary: true, runs: on.length,
    tasks: settings.history.tasks, workerProcesses: settings.history.workers, historyOnTasksPerSecond: Math.round(withIt), historyOffTasksPerSecond: Math.round(without),
    cpuMsPerTask: { managerOn: cpu(on, 'manager'), managerOff: cpu(off, 'manager'), postgresOn: cpu(on, 'postgres'), postgresOff: cpu(off, 'postgres') } });
}

export interface PruneResult {
  pruneTasks: number;
  historyRows: number;
  pruneSeconds: number;
  baselineTasksPerSecond: number;
  duringTasksPerSecond: number;
  /** The longest pause between two completions while pruning, and before it (same batch size). */
  maxGapMs: number;
  baselineMaxGapMs: number;
}

const STAGE = 'bench';

export async function runHistoryPrune(): Promise<PruneResult> {
  const { pruneTasks, hotTasks, workers } = settings.history;
  const database = await createDatabase();
  const manager = await startManagerProcess({
    store: 'postgres',
    databaseUrl: database.url,
    poolSize: settings.managerPoolSize,
    env: { JOBNIK_RETENTION_INTERVAL_MS: '200' },
  });
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  let fleet: WorkerFleet | undefined;
  try {
    fleet = await WorkerFleet.start(new URL('./jobnik-worker-child.ts', import.meta.url), workers, { BENCH_MANAGER_URL: manager.url, BENCH_STAGE_TYPE: STAGE });
    const producer = benchProducer(manager.url);
    // One job of pruneTasks tasks (50,000 per request at most), run to completion: its history is what retention prunes.
    const first = Math.min(pruneTasks, 50_000);
    const job = await producer.createJob('prune-me', { stages: [{ type: STAGE, tasks: Array.from({ length: first }, (_, i) => ({ data: { i } })) }] });
    for (let from = first; from < pruneTasks; from += 5_000) {
      await producer.addTasks(job.stages![0]!.id, Array.from({ length: Math.min(5_000, pruneTasks - from) }, (_, i) => ({ data: { i: from + i } })));
    }
    await fleet.waitFor(pruneTasks, 600_000);
    const rows = async () =>
      Number((await db.query('SELECT (SELECT count(*) FROM task_attempts WHERE job_id = $1) + (SELECT count(*) FROM job_history WHERE job_id = $1) AS n', [job.id])).rows[0].n);
    const historyRows = await rows();

    const batch = async (done: number) => {
      const t0 = epochMs();
      await createTasks(producer, { stageType: STAGE, total: hotTasks, chunk: settings.createChunk, concurrency: settings.createConcurrency });
      await fleet!.waitFor(done + hotTasks, 600_000);
      return { t0, seconds: (fleet!.timeOf(done + hotTasks) - t0) / 1000 };
    };
    /** The longest pause between consecutive completions number fromK … toK (1-based). */
    const gaps = (fromK: number, toK: number) => {
      const times = fleet!.completionTimes();
      let max = 0;
      for (let k = fromK; k < toK; k++) max = Math.max(max, times[k]! - times[k - 1]!);
      return max;
    };
    note(`prune: baseline batch of ${hotTasks}`);
    const base = await batch(pruneTasks);
    const baselineMaxGapMs = gaps(pruneTasks + 1, pruneTasks + hotTasks);

    note(`prune: retention deletes ${historyRows} history rows (${pruneTasks} tasks) while a batch of ${hotTasks} runs`);
    await producer.updateJob(job.id, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    const pruneStart = epochMs();
    let pruneSeconds = NaN;
    const watch = (async () => {
      while ((await rows()) > 0) await new Promise((r) => setTimeout(r, 50));
      pruneSeconds = (epochMs() - pruneStart) / 1000;
    })();
    const during = await batch(pruneTasks + hotTasks);
    const maxGapMs = gaps(pruneTasks + hotTasks + 1, pruneTasks + 2 * hotTasks);
    await watch;
    await producer.close();
    return { pruneTasks, historyRows, pruneSeconds, baselineTasksPerSecond: hotTasks / base.seconds, duringTasksPerSecond: hotTasks / during.seconds, maxGapMs, baselineMaxGapMs };
  } finally {
    await fleet?.stop();
    await db.end();
    await manager.stop();
    await database.drop();
  }
}

export function reportHistoryPrune(r: PruneResult): void {
  report({ figure: 'history-prune-seconds', value: round(r.pruneSeconds, 2), unit: 's', summary: true, pruneTasks: r.pruneTasks, historyRows: r.historyRows,
    batchSize: process.env.JOBNIK_RETENTION_BATCH_SIZE ?? 'retention.batchSize default (5000)', dutyPercent: process.env.JOBNIK_RETENTION_DUTY_PERCENT ?? 'retention.dutyPercent default (25)' });
  report({ figure: 'hot-path-during-history-prune', value: round(r.duringTasksPerSecond / r.baselineTasksPerSecond, 2), unit: 'during/before', target: targets.hotPathDuringPruneRatio,
    summary: true, duringTasksPerSecond: Math.round(r.duringTasksPerSecond), baselineTasksPerSecond: Math.round(r.baselineTasksPerSecond), hotTasks: settings.history.hotTasks,
    maxGapBetweenCompletionsMs: round(r.maxGapMs, 1), baselineMaxGapMs: round(r.baselineMaxGapMs, 1) });
}

if (isMain(import.meta.url)) {
  // `bench:history prune` runs the pruning figure alone.
  if (process.argv[2] !== 'prune') reportHistoryCost(await runHistoryCost());
  reportHistoryPrune(await runHistoryPrune());
}
