// Counts of running tasks — a queue's depth (GET /queues, the jobnik_queue_depth gauge), a stage's split counts, the
// room of a capped queue or a job group — read the running-tasks index from the sweep watermark on (every lease that
// expired before it was taken back by some replica's pass). They stay exact; while a session holds the xmin horizon
// they pass the leases of about the last lease length instead of every lease taken since the hold began.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Row, Statement } from '../src/db/db.js';
import { getQueue, listQueues } from '../src/store/queues.js';
import { advanceSweepWatermark } from '../src/store/sweep-watermark.js';
import { startTestManager, testStores, type TestManager } from '../src/testing.js';
import { type Api, api, managerWithApi, waitFor } from './api.js';
import { complete, createTasks, lease, leaseUntilRefused } from './flow-helpers.js';
import { spyDb } from './spy-db.js';

describe.each(testStores())('running counts on %s', (store) => {
  let m: TestManager;
  let a: Api;
  // Sweeps every 50 ms: the watermark stays a few seconds behind now, as close to the live leases as it gets.
  beforeAll(async () => ({ m, a } = await managerWithApi(store, { tasks: { sweepIntervalMs: 50 } })));
  afterAll(() => m.close());

  const depthOf = async (type: string) => (await a.get('/queues')).body.items.find((q: { name: string }) => q.name === type).depth;

  it('a lost lease leaves the counts when the sweeper takes it back; live leases, and a full cap, stay counted', async () => {
    const jobId = await createTasks(a, 'default', 'rc-cap', 5);
    expect((await a.patch('/queues/rc-cap', { maxInFlight: 3 })).status).toBe(200);
    const lost = await lease(a, ['rc-cap'], 1, { leaseMs: 1_000 });
    const live = await lease(a, ['rc-cap'], 5);
    expect(live).toHaveLength(2); // the cap: 3 running
    // The sweeper takes the lost lease back once it has expired (a retry: PENDING again), and only it.
    await waitFor(() => a.get(`/tasks/${lost[0]!.id}`), (r) => r.body.status === 'PENDING', { timeoutMs: 15_000 });
    expect(await depthOf('rc-cap')).toMatchObject({ ready: 2, delayed: 1, inProgress: 2 }); // delayed: the retry's backoff
    expect((await a.get(`/jobs/${jobId}`)).body.summary).toMatchObject({ pending: 3, inProgress: 2 });
    const byType = (await a.get('/stats')).body.tasksByStageType.find((t: { stageType: string }) => t.stageType === 'rc-cap').counts;
    expect(byType).toMatchObject({ PENDING: 3, IN_PROGRESS: 2 });
    // The queue has room for one more lease, not more, however far the watermark has moved.
    expect(await leaseUntilRefused(a, ['rc-cap'], 5)).toHaveLength(1);
    expect(await depthOf('rc-cap')).toMatchObject({ ready: 1, inProgress: 3 });
    await complete(a, live);
    expect(await depthOf('rc-cap')).toMatchObject({ inProgress: 1 });
  });
});

describe.runIf(testStores().includes('postgres'))('running counts under a held xmin horizon (postgres)', () => {
  let m: TestManager;
  let a: Api;
  let side: pg.Client;
  beforeAll(async () => {
    // The background sweeper stays out of the way: the test advances the watermark as a pass would.
    m = await startTestManager({ store: 'postgres', config: { tasks: { sweepIntervalMs: 3_600_000 } } });
    a = api(m.url);
    side = new pg.Client({ connectionString: m.databaseUrl! });
    await side.connect();
  });
  afterAll(async () => {
    await side.end();
    await m.close();
  });

  /** What `read` returns, and the shared buffers touched by the plan of the statement it ran (run again, explained). */
  async function planned<T>(read: (db: Db) => Promise<T>): Promise<{ value: T; buffers: number }> {
    let seen: { sql: string | Statement; params?: readonly unknown[] } | null = null;
    const value = await read(spyDb(m.manager.db, { beforeQuery: (sql, params) => (seen = { sql, params }) }));
    const { sql, params } = seen!;
    const text = typeof sql === 'string' ? sql : sql.text;
    const plan = (await side.query<{ 'QUERY PLAN': { Plan: Row }[] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, params)).rows[0]!['QUERY PLAN'][0]!.Plan;
    return { value, buffers: Number(plan['Shared Hit Blocks']) + Number(plan['Shared Read Blocks']) };
  }

  /** The depths the /metrics scrape reads (GET /queues without oldestReadyAt), and the shared buffers its plan touched. */
  async function depthRead(): Promise<{ depth: Record<string, number>; buffers: number }> {
    const { value, buffers } = await planned(async (db) => (await listQueues(db, null, {}, false)).items.find((q) => q.name === 'rc-held')!);
    return { depth: value.depth, buffers };
  }

  /** The database's clock once leases of a second taken before `ended` have all expired: when a sweeper pass may begin. */
  async function shortLeasesExpired(ended: Date): Promise<Date> {
    const r = await waitFor(
      () => side.query<{ now: Date }>('SELECT clock_timestamp() AS now'),
      (q) => q.rows[0]!.now.getTime() > ended.getTime() + 1_000,
      { timeoutMs: 10_000 },
    );
    return r.rows[0]!.now;
  }

  /** Leases (for a second) and completes n tasks of the stage type, 500 at a time. */
  async function drain(type: string, n: number): Promise<void> {
    for (let done = 0; done < n; ) {
      const got = await lease(a, [type], Math.min(500, n - done), { leaseMs: 1_000 });
      await complete(a, got);
      done += got.length;
    }
  }

  it('the depths of the /metrics scrape pass the live leases, not every lease that ended since the hold began', async () => {
    const N = 6_000;
    await createTasks(a, 'default', 'rc-held', N + 10);
    await side.query('BEGIN');
    try {
      await side.query('SELECT txid_current()');
      // N leases of a second each, all completed while the horizon is held: N dead entries in the running-tasks index.
      await drain('rc-held', N);
      const ended = (await side.query<{ at: Date }>('SELECT clock_timestamp() AS at')).rows[0]!.at;
      const live = await lease(a, ['rc-held'], 4);
      const before = await depthRead();
      expect(before.depth).toMatchObject({ ready: 6, inProgress: 4 });
      expect(before.buffers).toBeGreaterThan(N / 20); // from the start of the queue's range: heap fetches of the dead entries
      // A sweeper pass that begins once the short leases have expired finds none of them live and nothing to take back.
      const passAt = await shortLeasesExpired(ended);
      expect(live.every((t) => Date.parse(t.leaseExpiresAt) > passAt.getTime())).toBe(true);
      await advanceSweepWatermark(m.manager.db, passAt);
      const after = await depthRead();
      expect(after.depth).toMatchObject({ ready: 6, inProgress: 4 });
      expect(after.buffers).toBeLessThan(N / 100); // the queue's rows, its open stage, the live leases
      // The watermark only moves forward: a replica whose pass began earlier does not move it back.
      await advanceSweepWatermark(m.manager.db, new Date(0));
      expect((await depthRead()).buffers).toBeLessThan(N / 100);
    } finally {
      await side.query('COMMIT');
    }
  });

  it("a drained queue's oldest ready task is not looked for past the tasks leased since the hold began", async () => {
    const N = 6_000;
    const tenant = 'rc-drained-tenant'; // its own, so /stats?tenantId= sees only this queue
    await createTasks(a, tenant, 'rc-drained', N);
    await side.query('BEGIN');
    try {
      await side.query('SELECT txid_current()');
      await drain('rc-drained', N); // N dead entries in tasks_ready, kept by the hold
      // The running-tasks index is read from the sweep watermark on: past these leases, as a sweeper pass would move it.
      const ended = (await side.query<{ at: Date }>('SELECT clock_timestamp() AS at')).rows[0]!.at;
      await advanceSweepWatermark(m.manager.db, await shortLeasesExpired(ended));
      const drained = await planned((db) => getQueue(db, tenant, 'rc-drained'));
      expect(drained.value).toMatchObject({ depth: { ready: 0, inProgress: 0 }, oldestReadyAt: null });
      expect(drained.buffers).toBeLessThan(N / 100);
      expect((await a.get(`/stats?tenantId=${tenant}`)).body.oldestReadyAgeMs).toBeNull();
      // One more ready task: found (past the dead entries: the walk is paid while a queue has ready tasks).
      const before = Date.now();
      await createTasks(a, tenant, 'rc-drained', 1);
      const one = await getQueue(m.manager.db, tenant, 'rc-drained');
      expect(one?.depth.ready).toBe(1);
      expect(Date.parse(one!.oldestReadyAt!)).toBeGreaterThanOrEqual(before - 1_000);
      expect(Date.parse(one!.oldestReadyAt!)).toBeLessThanOrEqual(Date.now() + 1_000);
      expect((await a.get(`/stats?tenantId=${tenant}`)).body.oldestReadyAgeMs).toEqual(expect.any(Number));
    } finally {
      await side.query('COMMIT');
    }
  });
});
