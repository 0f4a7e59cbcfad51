// End-to-end throughput: a producer bulk-creates N tasks through the manager (its own process) while W
// worker processes (the real WorkerClient, noop handler) run them; time from the first create request
// to the last completion answered by the manager. The manager's RSS and CPU are sampled meanwhile.
import pg from 'pg';
import { backendPids, createDatabase } from './database.js';
import { startManagerProcess } from './manager-process.js';
import { cpuSecondsOrZero, ProcessSampler, totalCpuSeconds, type Footprint } from './proc-sampler.js';
import { benchProducer, createTasks } from './producer.js';
import { epochMs, note, report, round } from './report.js';
import { settings, targets, type StoreKind } from './settings.js';
import { WorkerFleet } from './worker-fleet.js';
import { isMain } from './main.js';
import { runtime } from './node-args.js';
import { callsBetween, managerCalls, type ManagerCalls } from './manager-calls.js';

export interface ThroughputResult {
  store: StoreKind;
  tasks: number;
  workers: number;
  seconds: number;
  tasksPerSecond: number;
  createSeconds: number;
  manager: Footprint;
  /**
   * CPU milliseconds per task of each party (less sensitive to other load on the machine than tasks/s):
   * the manager and worker processes over the run, the database's backends over their lifetime.
   */
  cpuMsPerTask: { manager: number; workers: number; postgres: number | null };
  /** Calls the manager answered on its hot routes (null on PGlite: not scraped). */
  calls: ManagerCalls | null;
}

const STAGE = 'bench';

/** What a caller may look at in a run (timeline.ts): each job's answer, and the database before it is dropped. */
export interface ThroughputProbe {
  /** Hears each measured job's answer, in ms from the clock's start. */
  onCreated?(ms: number): void;
  /** Once every task completed: the database (PostgreSQL), the clock's start and the measured completions' times. */
  inspect?(run: { databaseUrl: string; t0: number; completions: number[] }): Promise<void>;
}

/** `managerEnv`: extra manager settings (e.g. JOBNIK_HISTORY_ENABLED=false for the history cost). */
export async function runThroughput(
  store: StoreKind,
  tasks: number,
  workers: number,
  managerEnv: Record<string, string> = {},
  probe: ThroughputProbe = {},
): Promise<ThroughputResult> {
  const database = store === 'postgres' ? await createDatabase() : null;
  const manager = await startManagerProcess({ store, databaseUrl: database?.url, poolSize: settings.managerPoolSize, env: managerEnv });
  let fleet: WorkerFleet | undefined;
  try {
    fleet = await WorkerFleet.start(new URL('./jobnik-worker-child.ts', import.meta.url), workers, {
      BENCH_MANAGER_URL: manager.url,
      BENCH_STAGE_TYPE: STAGE,
    });
    const producer = benchProducer(manager.url);
    // Warm-up (settings.warmupPerWorker): the same path, before the clock and the CPU counters start.
    const warm = settings.warmupPerWorker * workers;
    if (warm > 0) {
      await createTasks(producer, { stageType: STAGE, total: warm, chunk: settings.createChunk, concurrency: 1 });
      await fleet.waitFor(warm, 300_000);
    }
    const calls0 = await managerCalls(manager.url).catch(() => null);
    const postgresCpu0 = database ? cpuByPid(await backendPids(database.name)) : null;
    const sampler = new ProcessSampler(manager.pid);
    const workersCpu0 = totalCpuSeconds(fleet.pids);
    sampler.start();
    const t0 = epochMs();
    const onCreated = probe.onCreated && (() => probe.onCreated!(epochMs() - t0));
    await createTasks(producer, { stageType: STAGE, total: tasks, chunk: settings.createChunk, concurrency: settings.createConcurrency, onCreated });
    const created = epochMs();
    await fleet.waitFor(warm + tasks, 600_000);
    const footprint = sampler.stop();
    const workersCpu = totalCpuSeconds(fleet.pids) - workersCpu0;
    const postgresCpu = database && postgresCpu0 ? cpuSince(postgresCpu0, await backendPids(database.name)) : null;
    const seconds = (fleet.timeOf(warm + tasks) - t0) / 1000;
    const calls1 = await managerCalls(manager.url).catch(() => null);
    const calls = calls0 && calls1 ? callsBetween(calls0, calls1) : null;
    await producer.close();
    if (database) await verifyCompleted(database.url, warm + tasks);
    if (database) await probe.inspect?.({ databaseUrl: database.url, t0, completions: fleet.completionTimes().slice(warm) });
    return { store, tasks, workers, seconds, tasksPerSecond: tasks / seconds, createSeconds: (created - t0) / 1000, manager: footprint,
      cpuMsPerTask: { manager: (footprint.cpuSeconds * 1000) / tasks, workers: (workersCpu * 1000) / tasks, postgres: postgresCpu === null ? null : (postgresCpu * 1000) / tasks }, calls };
  } finally {
    await fleet?.stop();
    await manager.stop();
    await database?.drop();
  }
}

/** CPU seconds each process has used so far. */
function cpuByPid(pids: number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, cpuSecondsOrZero(pid)]));
}

/** CPU seconds these processes used since `before` (processes that started since count whole). */
function cpuSince(before: Map<number, number>, pids: number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSecondsOrZero(pid) - (before.get(pid) ?? 0), 0);
}

/** Every task completed exactly once, as the manager's database sees it. */
async function verifyCompleted(url: string, tasks: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ completed: number; other: number }>(
      `SELECT count(*) FILTER (WHERE status = 'COMPLETED')::int AS completed, count(*) FILTER (WHERE status <> 'COMPLETED')::int AS other FROM tasks`,
    );
    const row = r.rows[0]!;
    if (row.completed !== tasks || row.other !== 0) throw new Error(`expected ${tasks} completed tasks, found ${JSON.stringify(row)}`);
  } finally {
    await c.end();
  }
}

export function reportThroughput(r: ThroughputResult, run: number): void {
  const target = r.store === 'pglite' ? targets.pgliteTasksPerSecond : r.workers === 4 ? targets.e2eTasksPerSecond4Workers : undefined;
  report({
    figure: `e2e-throughput-${r.store}`,
    value: Math.round(r.tasksPerSecond),
    unit: 'tasks/s',
    ...(target ? { target } : {}),
    run,
    tasks: r.tasks,
    workerProcesses: r.workers,
    seconds: round(r.seconds, 2),
    createSeconds: round(r.createSeconds, 2),
    managerPeakRssMb: round(r.manager.peakRssMb),
    managerCpuPercent: round(r.manager.cpuPercent),
    worker: settings.worker,
    runtime,
    cpuMsPerTask: { manager: round(r.cpuMsPerTask.manager, 3), workers: round(r.cpuMsPerTask.workers, 3), postgres: r.cpuMsPerTask.postgres === null ? null : round(r.cpuMsPerTask.postgres, 3) },
    ...(r.calls
      ? { calls: r.calls.byRoute, tasksPerDequeue: r.calls.dequeuesWithTasks ? round(r.calls.tasksDequeued / r.calls.dequeuesWithTasks) : 0 }
      : {}),
  });
}

if (isMain(import.meta.url)) {
  for (const store of settings.stores) {
    for (const n of store === 'pglite' ? settings.pgliteTasks : settings.tasks) {
      for (const w of settings.workers) {
        for (let run = 1; run <= settings.repeat; run++) {
          note(`e2e ${store} N=${n} W=${w} run ${run}`);
          reportThroughput(await runThroughput(store, n, w), run);
        }
      }
    }
  }
}
