// The manager's PostgreSQL connections: database.poolSize is one budget, whatever runs on it. Statements marked
// `plan: 'generic'` (the dequeue) prefer sessions that reuse one generic plan instead of planning every call, and
// take any free connection when those are busy; every other statement plans per call as PostgreSQL chooses.
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statement } from '../src/db/db.js';
import { genericPoolSize, PgDb } from '../src/db/pg-db.js';
import { createTestDatabase, testStores, type TestDatabase } from '../src/testing.js';
import { waitFor } from './api.js';

const MODE = "SELECT current_setting('plan_cache_mode') AS mode";
const GENERIC_MODE = statement('test_pool_generic_mode', MODE, { plan: 'generic' });
/** Waits while the side session holds advisory lock 42. */
const BLOCKED = 'SELECT pg_advisory_xact_lock(42), pg_backend_pid() AS pid';
const GENERIC_BLOCKED = statement('test_pool_generic_blocked', BLOCKED, { plan: 'generic' });

describe.runIf(testStores().includes('postgres'))('the PostgreSQL pool', () => {
  let database: TestDatabase;
  /** Holds advisory lock 42 inside a transaction. */
  let side: pg.Client;
  /** Watches pg_stat_activity (inside side's transaction its snapshot would not change). */
  let observer: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    side = new pg.Client({ connectionString: database.url });
    await side.connect();
    observer = new pg.Client({ connectionString: database.url });
    await observer.connect();
  });
  afterAll(async () => {
    await side?.end();
    await observer?.end();
    await database?.drop();
  });

  const sessions = async (app: string) =>
    (await observer.query<{ n: number; waiting: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE wait_event = 'advisory')::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [app],
    )).rows[0]!;

  it('runs a statement marked generic on a session that reuses a generic plan, and the others as PostgreSQL chooses', async () => {
    const db = new PgDb({ url: database.url, poolSize: 4, logger: pino({ level: 'silent' }) });
    try {
      expect((await db.query<{ mode: string }>(GENERIC_MODE))[0]!.mode).toBe('force_generic_plan');
      expect((await db.query<{ mode: string }>(MODE))[0]!.mode).toBe('auto');
      expect(await db.transaction((tx) => tx.query<{ mode: string }>(MODE))).toEqual([{ mode: 'auto' }]);
    } finally {
      await db.close();
    }
  });

  it('keeps to database.poolSize connections, and lets either kind of statement use all of them when the other is idle', async () => {
    const app = 'jobnik-pool-budget';
    const poolSize = 5;
    expect(genericPoolSize(poolSize)).toBeGreaterThan(0);
    const db = new PgDb({ url: database.url, poolSize, logger: pino({ level: 'silent' }), applicationName: app });
    try {
      await side.query('BEGIN');
      await side.query('SELECT pg_advisory_xact_lock(42)');
      // More dequeue-like statements than the whole budget, all waiting on the lock at once: they take every connection…
      const generic = Array.from({ length: poolSize + 2 }, () => db.query<{ pid: number }>(GENERIC_BLOCKED));
      await waitFor(() => sessions(app), (s) => s.waiting === poolSize);
      // …and no more: the extra two queue in the pool, as a plain statement does.
      const plain = db.query<{ pid: number }>(BLOCKED);
      await waitFor(() => sessions(app), (s) => s.waiting === poolSize);
      expect(await sessions(app)).toEqual({ n: poolSize, waiting: poolSize });
      await side.query('COMMIT');
      const pids = new Set([...(await Promise.all(generic)), await plain].map((rows) => rows[0]!.pid));
      expect(pids.size).toBe(poolSize);

      // The other way round: plain statements use the sessions kept for generic plans while those are idle.
      await side.query('BEGIN');
      await side.query('SELECT pg_advisory_xact_lock(42)');
      const plains = Array.from({ length: poolSize }, () => db.query(BLOCKED));
      await waitFor(() => sessions(app), (s) => s.waiting === poolSize);
      await side.query('COMMIT');
      await Promise.all(plains);
      expect((await sessions(app)).n).toBe(poolSize);
    } finally {
      await side.query('ROLLBACK').catch(() => undefined);
      await db.close();
    }
  });
});
