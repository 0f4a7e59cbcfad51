// One chaos run: a fresh database, the manager as a child process, a workload, worker processes — then
// SIGKILL workers on a timer while the manager (and, in the long run, PostgreSQL) restarts at set points of
// progress — or PostgreSQL, a cluster of the run's own, goes down for a while — wait until every job is final and
// judge the outcome (see verify.ts).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestDatabase, waitFor } from '@jobnik/manager/testing';
import { ProducerClient } from '@jobnik/sdk';
import { killAllChildren, onInterrupt } from './children.js';
import { countExecutions, executionsByPid, readExecutionLogs } from './execution-log.js';
import { HeldHorizon } from './held-horizon.js';
import { freePort, ManagerProcess } from './manager-process.js';
import { ensurePostgresUp, restartPostgres } from './postgres.js';
import { PrivatePostgres, type StopMode } from './private-postgres.js';
import { verifyRun, type Verdict } from './verify.js';
import { WorkerPool } from './worker-pool.js';
import { STAGE_TYPES, submitWorkload } from './workload.js';

export interface ChaosOptions {
  jobs: number;
  tasksPerJob: number;
  stages: 1 | 2;
  workers: number;
  /** Handler slots per worker process. */
  concurrency: number;
  /** Handler time, `min-max` ms. */
  taskMs: string;
  /** SIGKILL a random worker (and start a replacement) this often, at most maxKills times. */
  killEveryMs: number;
  maxKills: number;
  /** Manager restarts (the first by SIGTERM, the next by SIGKILL, alternating). */
  managerRestarts: number;
  /** PostgreSQL cluster restarts (0 or 1: it disturbs everyone on the machine). */
  postgresRestarts: 0 | 1;
  /**
   * An idle-in-transaction session holds the database's xmin horizon from before the jobs are created until they are
   * final (see held-horizon.ts); the run reports whether it still held at the end. Not with postgresRestarts.
   */
  holdHorizon?: boolean;
  /**
   * PostgreSQL goes down once, for downMs, between the manager restarts — a cluster of the run's own (private-postgres.ts),
   * so other suites are not disturbed: `fast` is a clean shutdown, `immediate` a crash (no checkpoint; commits in flight
   * are cut off; recovery at start). The manager's answers meanwhile are reported. Not with postgresRestarts or holdHorizon.
   */
  postgresOutage?: { mode: StopMode; downMs: number };
  leaseMs: number;
  sweepIntervalMs: number;
  maxAttempts: number;
  /** Fixed manager port; default a free one, kept across restarts. */
  port?: number;
  /** The whole run (jobs final) must end within this. */
  deadlineMs: number;
  /** Keep the database and the logs afterwards: always, only when the run failed (default), never. */
  keep?: 'always' | 'on-failure' | 'never';
  log?: (message: string) => void;
}

/**
 * The short run CI makes: 1,000 tasks over 2 jobs of 2 stages, 4 worker processes, a worker SIGKILLed every second
 * (4 times) and one manager restart; PostgreSQL is left alone (other suites share it).
 */
/** How long a worker that lived through a disruption may take to work again: the SDK's longest retry delay (5 s) and
 *  the breaker's half-open time (2 s) after its last failure, a long-poll (2 s) and a lease (3 s), with room to spare. */
const RECOVERY_MS = 15_000;

export const SHORT_CHAOS: ChaosOptions = {
  jobs: 2,
  tasksPerJob: 500,
  stages: 2,
  workers: 4,
  concurrency: 4,
  // Long enough that the kills and the restart land while work is in flight.
  taskMs: '20-40',
  killEveryMs: 1_000,
  maxKills: 4,
  managerRestarts: 1,
  postgresRestarts: 0,
  leaseMs: 3_000,
  sweepIntervalMs: 500,
  maxAttempts: 10,
  deadlineMs: 180_000,
  keep: 'never',
};

export interface ChaosReport {
  tasks: number;
  workers: number;
  kills: number;
  managerRestarts: number;
  postgresRestarts: number;
  /** With postgresOutage: the outages that happened, and the distinct answers the manager gave while the database was down. */
  postgresOutages?: number;
  outageAnswers?: string[];
  /** Times the manager process died without being told to (each one is a finding; it is started again). */
  managerCrashes: number;
  /** Workers that lived through the last disruption but never ran a task again (while others did). */
  stuckWorkers: number;
  /** With holdHorizon: the session still held the horizon when every job was final. */
  horizonHeld?: boolean;
  lost: number;
  doubleCompletions: number;
  duplicateExecutions: number;
  seconds: number;
  executions: number;
  maxAttemptsUsed: number;
  statusCounts: Record<string, number>;
  workerEvents: Record<string, number>;
  problems: string[];
}

type Disruption = { kind: 'manager'; signal: 'SIGTERM' | 'SIGKILL' } | { kind: 'postgres' } | { kind: 'outage'; mode: StopMode; downMs: number };

/** Disruptions in order, each at a point of progress (fraction of tasks executed) between 15 % and 75 %. */
function plan(o: ChaosOptions): { at: number; what: Disruption }[] {
  const list: Disruption[] = [];
  for (let i = 0; i < o.managerRestarts; i++) list.push({ kind: 'manager', signal: i % 2 === 0 ? 'SIGTERM' : 'SIGKILL' });
  // PostgreSQL goes down between the manager restarts.
  if (o.postgresRestarts) list.splice(Math.ceil(list.length / 2), 0, { kind: 'postgres' });
  if (o.postgresOutage) list.splice(Math.ceil(list.length / 2), 0, { kind: 'outage', ...o.postgresOutage });
  return list.map((what, i) => ({ at: list.length === 1 ? 0.3 : 0.15 + (0.6 * i) / (list.length - 1), what }));
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? (() => undefined);
  if (o.holdHorizon && (o.postgresRestarts || o.postgresOutage)) throw new Error('holdHorizon: a PostgreSQL restart would end the session that holds the horizon');
  if (o.postgresRestarts && o.postgresOutage) throw new Error('postgresOutage runs on a cluster of its own; postgresRestarts restarts the machine one');
  const startedAt = Date.now();
  const deadline = startedAt + o.deadlineMs;
  const runId = `chaos-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const tasks = o.jobs * o.tasksPerJob;
  const logDir = mkdtempSync(join(tmpdir(), 'jobnik-chaos-'));
  const problems: string[] = [];
  const privatePg = o.postgresOutage ? await PrivatePostgres.create() : undefined;
  const db = await createTestDatabase(privatePg?.url());
  const manager = new ManagerProcess({ databaseUrl: db.url, port: o.port ?? (await freePort()), leaseMs: o.leaseMs, sweepIntervalMs: o.sweepIntervalMs });
  const producer = new ProducerClient({ baseUrl: manager.url, timeoutMs: 5_000 });
  const pool = new WorkerPool({ url: manager.url, logDir, stageTypes: [...STAGE_TYPES].slice(0, o.stages), taskMs: o.taskMs, concurrency: o.concurrency, leaseMs: o.leaseMs });
  let managerRestarts = 0;
  let postgresRestarts = 0;
  let postgresOutages = 0;
  const outageAnswers = new Set<string>();
  let managerCrashes = 0;
  let stuckWorkers = 0;
  let postgresTouched = false;
  let ok = false;
  let horizon: HeldHorizon | undefined;
  let horizonHeld: boolean | undefined;
  // Set when the jobs are final (or the run is interrupted): the chaos loops stop starting anything.
  let finished = false;
  const forgetCleanup = onInterrupt(async () => {
    finished = true;
    killAllChildren();
    rmSync(logDir, { recursive: true, force: true });
    if (postgresTouched) await ensurePostgresUp();
    await db.drop();
    await privatePg?.destroy();
  });
  try {
    await manager.start();
    log(`manager ${manager.url} on ${db.url}; logs in ${logDir}`);
    if (o.holdHorizon) {
      horizon = await HeldHorizon.hold(db.url);
      log(`xmin horizon held by session ${horizon.pid} (xid ${horizon.xid})`);
    }
    const jobIds = await submitWorkload(producer, runId, { jobs: o.jobs, tasksPerJob: o.tasksPerJob, stages: o.stages, maxAttempts: o.maxAttempts });
    log(`${o.jobs} jobs, ${tasks} tasks submitted`);
    pool.start(o.workers);

    // Executions per live worker once the last disruption is over: a worker that lived through it must work again.
    let afterDisruptions: Map<number, number> | undefined;
    let afterDisruptionsAt = 0;
    let planned = false; // a planned manager stop is under way: its exit is not a crash
    const allFinal = async () => {
      for (const id of jobIds) {
        const job = await producer.getJob(id, { timeoutMs: 2_000 });
        if (!['COMPLETED', 'FAILED', 'ABORTED'].includes(job.status)) return false;
      }
      return true;
    };

    // The manager must only go down when we take it down; if it dies by itself, that is a finding (and it is
    // started again so the run can still tell whether anything was lost).
    const watchManager = async () => {
      while (!finished) {
        await waitFor(() => finished || (!planned && !manager.running), { timeoutMs: Math.max(1, deadline - Date.now()), intervalMs: 100 }).catch(() => undefined);
        if (finished || Date.now() > deadline) return;
        if (planned || manager.running) continue;
        managerCrashes++;
        problems.push(`manager exited on its own: ${manager.output().slice(-2_000)}`);
        log('manager died unexpectedly; starting it again');
        await manager.start();
      }
    };

    const killLoop = async () => {
      while (!finished && pool.kills < o.maxKills && Date.now() < deadline) {
        await delay(o.killEveryMs); // the kill schedule itself is timed
        if (finished) return;
        const pid = await pool.killOneAndReplace();
        log(`SIGKILL worker ${pid} (${pool.kills})`);
      }
    };

    const disruptions = async () => {
      for (const { at, what } of plan(o)) {
        await waitFor(() => finished || countExecutions(logDir) >= at * tasks, { timeoutMs: Math.max(1, deadline - Date.now()), intervalMs: 100, message: `progress ${at}` });
        if (finished) return;
        if (what.kind === 'manager') {
          planned = true;
          log(`manager ${what.signal} at ${Math.round(at * 100)}%`);
          const stoppedAt = Date.now();
          const exit = await manager.stop(what.signal);
          if (what.signal === 'SIGTERM' && exit?.code !== 0) problems.push(`manager did not exit cleanly on SIGTERM: ${JSON.stringify(exit)} after ${Date.now() - stoppedAt} ms; its last output: ${manager.output().slice(-3_000)}`);
          await manager.start();
          planned = false;
          managerRestarts++;
        } else {
          if (what.kind === 'outage') {
            log(`PostgreSQL ${what.mode} stop for ${what.downMs} ms at ${Math.round(at * 100)}%`);
            await privatePg!.stop(what.mode);
            const downAt = Date.now();
            // While it is down, what does the manager answer? (The outage's length is the schedule, not a wait on a condition.)
            while (Date.now() - downAt < what.downMs) {
              for (const answer of await answersWhileDown(manager.url, jobIds[0]!)) outageAnswers.add(answer);
              await delay(250);
            }
            await privatePg!.start();
            postgresOutages++;
          } else {
            log(`PostgreSQL restart at ${Math.round(at * 100)}%`);
            postgresTouched = true;
            await restartPostgres();
            postgresRestarts++;
          }
          // The manager must come back to ready on its own (its pool and LISTEN connection reconnect).
          await waitFor(
            async () => {
              const res = await fetch(`${manager.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
              await res.body?.cancel();
              return res.status === 200;
            },
            { timeoutMs: 30_000, intervalMs: 200, message: 'manager ready after the PostgreSQL restart' },
          );
        }
      }
      const counts = executionsByPid(logDir);
      afterDisruptions = new Map(pool.alive().map((w) => [w.proc.pid!, counts.get(w.proc.pid!) ?? 0]));
      afterDisruptionsAt = Date.now();
    };

    const completion = async () => {
      try {
        await waitFor(allFinal, { timeoutMs: Math.max(1, deadline - Date.now()), intervalMs: 500, message: 'all jobs final' });
      } catch (err) {
        problems.push(String(err));
      } finally {
        finished = true;
      }
    };

    const results = await Promise.allSettled([completion(), killLoop(), disruptions(), watchManager()]);
    for (const r of results) if (r.status === 'rejected') problems.push(`chaos loop failed: ${String(r.reason)}`);
    finished = true;
    if (afterDisruptions) {
      // Enough work was left, for long enough, for every survivor to get some: one that got none never recovered. A
      // worker the outage left backing off (the SDK's retry delays reach 5 s, the breaker's half-open 2 s) may rightly
      // miss a short tail the others finish in a second, so the rule applies only once they have worked longer.
      const now = executionsByPid(logDir);
      const survivors = pool.alive().filter((w) => afterDisruptions!.has(w.proc.pid!));
      const since = [...now].reduce((a, [pid, n]) => a + n - (afterDisruptions!.get(pid) ?? 0), 0);
      if (since >= 50 * o.workers && Date.now() - afterDisruptionsAt >= RECOVERY_MS) {
        for (const w of survivors) {
          if ((now.get(w.proc.pid!) ?? 0) === afterDisruptions.get(w.proc.pid!)) {
            stuckWorkers++;
            problems.push(`${w.name} (pid ${w.proc.pid}) ran no task after the last disruption while ${since} executions happened elsewhere`);
          }
        }
      }
    }
    log(`jobs final after ${Math.round((Date.now() - startedAt) / 1000)} s; stopping workers`);
    if (horizon) {
      const check = await horizon.stillHeld(db.url);
      horizonHeld = check.held;
      if (!check.held) problems.push(`the xmin horizon was not held to the end: session ${horizon.pid} ${check.state ?? 'gone'}, oldest xid ${check.oldestXid} (held ${horizon.xid})`);
      await horizon.release();
    }

    if (!manager.running) await manager.start();
    await pool.stopAll();
    for (const w of pool.crashed()) problems.push(`${w.name} exited on its own (${w.proc.exitCode ?? w.proc.signalCode}): ${w.output().slice(-1_000)}`);

    const logs = readExecutionLogs(logDir);
    const verdict: Verdict = await verifyRun(db.url, producer, jobIds, tasks, logs);
    problems.push(...verdict.problems);
    ok = verdict.lost === 0 && verdict.doubleCompletions === 0 && problems.length === 0;
    return {
      tasks,
      workers: o.workers,
      kills: pool.kills,
      managerRestarts,
      postgresRestarts,
      ...(privatePg ? { postgresOutages, outageAnswers: [...outageAnswers].sort() } : {}),
      managerCrashes,
      stuckWorkers,
      ...(horizonHeld === undefined ? {} : { horizonHeld }),
      lost: verdict.lost,
      doubleCompletions: verdict.doubleCompletions,
      duplicateExecutions: verdict.duplicateExecutions,
      seconds: Math.round((Date.now() - startedAt) / 100) / 10,
      executions: verdict.executions,
      maxAttemptsUsed: verdict.maxAttemptsUsed,
      statusCounts: verdict.statusCounts,
      workerEvents: logs.events,
      problems,
    };
  } finally {
    forgetCleanup();
    await horizon?.release();
    killAllChildren();
    await producer.close().catch(() => undefined);
    if (postgresTouched) await ensurePostgresUp();
    const keep = o.keep ?? 'on-failure';
    if (keep === 'always' || (keep === 'on-failure' && !ok)) {
      log(`kept for inspection: database ${db.url}, logs ${logDir}`);
      // A cluster of the run's own is not left running; its data directory stays.
      if (privatePg) await privatePg.stop('fast').catch(() => undefined);
    } else {
      await db.drop().catch(() => undefined);
      await privatePg?.destroy();
      rmSync(logDir, { recursive: true, force: true });
    }
  }
}

/** One look at the manager while its database is down: liveness, readiness and an API read, as `what status [code]`. */
async function answersWhileDown(url: string, jobId: string): Promise<string[]> {
  const look = async (what: string, path: string): Promise<string> => {
    try {
      const res = await fetch(url + path, { signal: AbortSignal.timeout(15_000) });
      const body = (await res.json().catch(() => null)) as { code?: string } | null;
      return [what, res.status, what === 'api' ? body?.code : undefined].filter((x) => x !== undefined).join(' ');
    } catch (err) {
      return `${what} no answer (${(err as Error).name})`;
    }
  };
  return Promise.all([look('live', '/health/live'), look('ready', '/health/ready'), look('api', `/jobs/${jobId}`)]);
}
