// Rate limit (issue 20): one stage type limited to `limit` starts/s (burst `burst`, set in the managers'
// configuration, JOBNIK_RATE_LIMITS), a backlog far larger than the run needs, worker processes able to take far
// more, split between 2 manager replicas on one PostgreSQL database. Starts are read from the database
// (tasks.started_at) over the run after a 1 s warm-up: achieved rate, its deviation from the limit, and the most
// starts in any 1 s window (never more than limit + burst allowed).
import pg from 'pg';
import { createDatabase } from './database.js';
import { isMain } from './main.js';
import { startManagerProcess } from './manager-process.js';
import { benchProducer } from './producer.js';
import { note, report, round } from './report.js';
import { seedPending } from './seed.js';
import { settings, targets } from './settings.js';
import { WorkerFleet } from './worker-fleet.js';

const STAGE = 'limited';

export interface RateLimitResult {
  starts: number;
  seconds: number;
  maxInOneSecond: number;
}

export async function runRateLimit(): Promise<RateLimitResult> {
  const { limit, burst, durationMs, backlog, workers } = settings.rateLimit;
  const database = await createDatabase();
  const env = { JOBNIK_RATE_LIMITS: JSON.stringify([{ stageType: STAGE, limit, periodMs: 1000, burst }]) };
  const managers = await Promise.all([0, 1].map(() => startManagerProcess({ store: 'postgres', databaseUrl: database.url, poolSize: settings.managerPoolSize, env })));
  const producer = benchProducer(managers[0]!.url);
  try {
    note(`rate limit: seeding ${backlog} tasks, limit ${limit}/s burst ${burst}`);
    await seedPending(database.url, producer, STAGE, backlog);
    const fleet = await WorkerFleet.start(new URL('./jobnik-worker-child.ts', import.meta.url), workers, {
      BENCH_MANAGER_URLS: managers.map((m) => m.url).join(','),
      BENCH_STAGE_TYPE: STAGE,
      BENCH_WORKER_BATCH: '1000',
      BENCH_WORKER_CONCURRENCY: '2000',
    });
    try {
      await new Promise((r) => setTimeout(r, durationMs + 1_000));
    } finally {
      await fleet.stop();
    }
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    try {
      // The window: from 1 s after the first start, durationMs long.
      const { rows } = await c.query<{ starts: number; max_1s: number }>(
        `WITH w AS (SELECT min(started_at) + interval '1 second' AS t0 FROM tasks WHERE started_at IS NOT NULL),
              s AS (SELECT t.started_at FROM tasks t, w WHERE t.started_at >= w.t0 AND t.started_at < w.t0 + $1 * interval '1 millisecond')
         SELECT (SELECT count(*) FROM s)::int AS starts,
                (SELECT coalesce(max(n), 0) FROM (SELECT count(*) OVER (ORDER BY started_at RANGE BETWEEN CURRENT ROW AND interval '999.999 milliseconds' FOLLOWING) AS n FROM s) x)::int AS max_1s`,
        [durationMs],
      );
      return { starts: rows[0]!.starts, seconds: durationMs / 1000, maxInOneSecond: rows[0]!.max_1s };
    } finally {
      await c.end();
    }
  } finally {
    await producer.close();
    await Promise.all(managers.map((m) => m.stop()));
    await database.drop();
  }
}

export function reportRateLimit(r: RateLimitResult, run = 1): void {
  const { limit, burst, workers } = settings.rateLimit;
  const achieved = r.starts / r.seconds;
  report({
    figure: 'rate-limit-deviation',
    value: round(Math.abs(achieved - limit) / limit, 4),
    unit: 'fraction',
    target: targets.rateLimitDeviation,
    achievedPerSecond: round(achieved, 1),
    limitPerSecond: limit,
    burst,
    maxStartsInAnyOneSecond: r.maxInOneSecond,
    neverAboveLimitPlusBurst: r.maxInOneSecond <= limit + burst,
    seconds: r.seconds,
    workers,
    replicas: 2,
    run,
  });
}

if (isMain(import.meta.url)) reportRateLimit(await runRateLimit());
