// Fairness (issue 20): tenant A has a large ready backlog of stage type `fair`; tenant B adds a one-task job of the
// same stage type and priority every 1/rate s. Worker processes (tenant-agnostic: they serve every tenant) are split
// between 2 manager replicas on one PostgreSQL database. A's throughput is measured alone, then while B adds work;
// B's pickup is started_at − created_at of its tasks (the database's clock).
import pg from 'pg';
import { createDatabase } from './database.js';
import { isMain } from './main.js';
import { startManagerProcess } from './manager-process.js';
import { managerRuntime, runtimeBetween, type ManagerRuntime } from './manager-runtime.js';
import { benchProducer } from './producer.js';
import { note, percentile, report, round } from './report.js';
import { countPending, seedPending, topUpPending } from './seed.js';
import { settings, targets } from './settings.js';
import { WorkerFleet } from './worker-fleet.js';

const STAGE = 'fair';
const B_TENANT = 'tenant-b';

export interface FairnessResult {
  backlog: number;
  soloRate: number;
  sharedRate: number;
  /** Per round, in order: A alone, A beside B. */
  soloRates: number[];
  sharedRates: number[];
  /** A's ready tasks left at the end of each phase, in order (before its refill to `backlog`). */
  aReadyAfterPhase: number[];
  bPickupMs: number[];
  bCreated: number;
  bLeased: number;
  /** Round trip of B's job creations as the producer saw them (part of B's pickup: created_at is the insert's start). */
  bCreateMs: number[];
  /** With track_commit_timestamp on: B's pickup split at its create's commit (the create transaction; the wait after it). */
  bCreateTxnMs: number[];
  bAfterCommitMs: number[];
  /** Gaps between the starts of successive dequeues that leased tasks (either tenant's), sorted. */
  dequeueGapsMs: number[];
  /** Per manager replica, over the measured rounds: its event-loop delay and GC time. */
  managers: ManagerRuntime[];
}

async function completionsDuring(fleet: WorkerFleet, ms: number): Promise<number> {
  const before = fleet.completions.length;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  return (fleet.completions.length - before) / ((performance.now() - t0) / 1000);
}

export async function runFairness(): Promise<FairnessResult> {
  const { backlog, bRatePerSecond, phaseMs, rounds, workers, batch } = settings.fairness;
  const database = await createDatabase();
  const managers = await Promise.all([0, 1].map(() => startManagerProcess({ store: 'postgres', databaseUrl: database.url, poolSize: settings.managerPoolSize })));
  const producer = benchProducer(managers[0]!.url);
  try {
    note(`fairness: seeding ${backlog} ready tasks of tenant A`);
    const seeded = await seedPending(database.url, producer, STAGE, backlog);
    const fleet = await WorkerFleet.start(new URL('./jobnik-worker-child.ts', import.meta.url), workers, {
      BENCH_MANAGER_URLS: managers.map((m) => m.url).join(','),
      BENCH_STAGE_TYPE: STAGE,
      BENCH_WORKER_BATCH: String(batch),
      BENCH_ACK_BATCH: String(batch),
      BENCH_WORKER_CONCURRENCY: String(batch * 2),
    });
    try {
      await completionsDuring(fleet, 1_000); // warm-up
      // A scrape restarts the managers' event-loop histograms: the one after the rounds covers just them.
      const runtimeBefore = await Promise.all(managers.map((m) => managerRuntime(m.url)));
      // Solo and shared phases alternate (A, A+B, A, A+B, …) so that the backlog shrinking and dead versions piling
      // up over the run weigh on both alike; the ratio compares their totals.
      let bCreated = 0;
      const bCreateMs: number[] = [];
      const solo: number[] = [];
      const shared: number[] = [];
      // Before every phase, outside the measured windows, A's queue is paused and its backlog brought back to
      // `backlog` ready tasks: a fast machine runs through a million in six 10-s phases, and the last phases then
      // measured an emptying queue (2026-12-04: A's last shared phase at 870–2,750 tasks/s). Without the pause the
      // workers consumed the backlog while it was being refilled. What each phase left is reported (aReadyAfterPhase).
      const aReadyAfterPhase: number[] = [];
      const refill = async () => {
        await producer.updateQueue(STAGE, { paused: true });
        const left = await topUpPending(database.url, seeded, backlog);
        if (solo.length + shared.length > 0) aReadyAfterPhase.push(left);
        await producer.updateQueue(STAGE, { paused: false });
      };
      for (let round = 0; round < rounds; round++) {
        await refill();
        note(`fairness: round ${round + 1}/${rounds}: tenant A alone`);
        solo.push(await completionsDuring(fleet, phaseMs));
        await refill();
        note(`fairness: round ${round + 1}/${rounds}: tenant A with tenant B adding ${bRatePerSecond} tasks/s`);
        let stop = false;
        const adder = (async () => {
          const every = 1000 / bRatePerSecond;
          const start = performance.now();
          let n = 0;
          while (!stop) {
            const sent = performance.now();
            const r = await fetch(`${managers[bCreated % 2]!.url}/jobs`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ name: 'fair-b', tenantId: B_TENANT, stages: [{ type: STAGE, tasks: [{ data: { b: bCreated } }] }] }),
            });
            if (r.status !== 201) throw new Error(`create B: ${r.status} ${await r.text()}`);
            await r.arrayBuffer();
            bCreateMs.push(performance.now() - sent);
            bCreated++;
            n++;
            const next = start + n * every;
            await new Promise((res) => setTimeout(res, Math.max(0, next - performance.now())));
          }
        })();
        shared.push(await completionsDuring(fleet, phaseMs));
        stop = true;
        await adder;
      }
      aReadyAfterPhase.push(await countPending(database.url, seeded));
      const managerFigures = (await Promise.all(managers.map((m) => managerRuntime(m.url)))).map((after, i) => runtimeBetween(runtimeBefore[i]!, after));
      const soloRate = solo.reduce((a, b) => a + b, 0) / rounds;
      const sharedRate = shared.reduce((a, b) => a + b, 0) / rounds;
      // Let the last B tasks be picked up before reading their start times.
      await new Promise((r) => setTimeout(r, 500));
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      const rows = (
        await c.query<{ ms: number | null }>(
          `SELECT extract(epoch FROM t.started_at - t.created_at) * 1000 AS ms FROM tasks t JOIN queues q ON q.id = t.queue_id WHERE q.tenant_id = $1`,
          [B_TENANT],
        )
      ).rows;
      // With track_commit_timestamp on, the pickup splits at the create's commit (the xid of the job's creation
      // history row): the create transaction itself, then the wait for a dequeue.
      const split = (await c.query<{ on: boolean }>(`SELECT current_setting('track_commit_timestamp') = 'on' AS on`)).rows[0]!.on
        ? (
            await c.query<{ txn: number; after: number }>(
              `SELECT extract(epoch FROM pg_xact_commit_timestamp(h.xmin) - t.created_at) * 1000 AS txn,
                      extract(epoch FROM t.started_at - pg_xact_commit_timestamp(h.xmin)) * 1000 AS after
               FROM tasks t JOIN queues q ON q.id = t.queue_id
               JOIN job_history h ON h.job_id = t.job_id AND h.stage_id IS NULL AND h.from_status IS NULL
               WHERE q.tenant_id = $1 AND t.started_at IS NOT NULL`,
              [B_TENANT],
            )
          ).rows
        : [];
      // The cadence B's pickup waits on: the gaps between successive dequeue statements that leased something (each
      // dates its leases by its start, so the distinct started_at of all tasks are those statements' starts).
      const starts = (await c.query<{ ms: number }>(`SELECT extract(epoch FROM started_at) * 1000 AS ms FROM tasks WHERE started_at IS NOT NULL GROUP BY started_at ORDER BY 1`)).rows.map((r) => Number(r.ms));
      const dequeueGapsMs = starts.slice(1).map((x, i) => x - starts[i]!).sort((a, b) => a - b);
      await c.end();
      const bPickupMs = rows.filter((r) => r.ms !== null).map((r) => Number(r.ms)).sort((a, b) => a - b);
      const sorted = (xs: number[]) => xs.map(Number).sort((a, b) => a - b);
      return {
        backlog, soloRate, sharedRate, soloRates: solo, sharedRates: shared, aReadyAfterPhase, bPickupMs, bCreated, bLeased: bPickupMs.length, bCreateMs: bCreateMs.sort((a, b) => a - b),
        bCreateTxnMs: sorted(split.map((r) => r.txn)), bAfterCommitMs: sorted(split.map((r) => r.after)), dequeueGapsMs, managers: managerFigures,
      };
    } finally {
      await fleet.stop();
    }
  } finally {
    await producer.close();
    await Promise.all(managers.map((m) => m.stop()));
    await database.drop();
  }
}

export function reportFairness(r: FairnessResult, run = 1): void {
  const common = { run, backlog: r.backlog, bRatePerSecond: settings.fairness.bRatePerSecond, phaseMs: settings.fairness.phaseMs, rounds: settings.fairness.rounds, workers: settings.fairness.workers, replicas: 2, batch: settings.fairness.batch };
  const q = (xs: number[], at: number) => (xs.length ? round(percentile(xs, at), 2) : NaN);
  const split = r.bCreateTxnMs.length
    ? { createTxnP50Ms: q(r.bCreateTxnMs, 50), createTxnP99Ms: q(r.bCreateTxnMs, 99), afterCommitP50Ms: q(r.bAfterCommitMs, 50), afterCommitP99Ms: q(r.bAfterCommitMs, 99) }
    : {};
  report({ figure: 'fair-b-pickup-p99', value: q(r.bPickupMs, 99), unit: 'ms', target: targets.fairPickupP99Ms, p50: q(r.bPickupMs, 50), max: q(r.bPickupMs, 100), createP50Ms: q(r.bCreateMs, 50), createP99Ms: q(r.bCreateMs, 99), ...split, dequeueGapP50Ms: q(r.dequeueGapsMs, 50), dequeueGapP99Ms: q(r.dequeueGapsMs, 99),
    managerEventLoopLagP99Ms: r.managers.map((m) => round(m.eventLoopLagP99Ms, 1)), managerEventLoopLagMaxMs: r.managers.map((m) => round(m.eventLoopLagMaxMs, 1)),
    managerGcSeconds: r.managers.map((m) => round(m.minorGcSeconds + m.majorGcSeconds, 2)), bCreated: r.bCreated, bLeased: r.bLeased, clock: 'database (started_at - created_at)', ...common });
  report({ figure: 'fair-a-throughput-ratio', value: round(r.sharedRate / r.soloRate, 3), unit: 'ratio', target: targets.fairThroughputRatio, soloTasksPerSecond: round(r.soloRate), sharedTasksPerSecond: round(r.sharedRate), soloRounds: r.soloRates.map((x) => round(x)), sharedRounds: r.sharedRates.map((x) => round(x)), aReadyAfterPhase: r.aReadyAfterPhase, ...common });
}

if (isMain(import.meta.url)) reportFairness(await runFairness());
