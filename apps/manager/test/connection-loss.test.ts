// PostgreSQL connections die (restarts, failovers, idle-killers): the manager answers 503 for the request that
// was using one, keeps running, and serves the next request on a fresh connection. Nothing half-done is kept.
// And an SQL error on a statement of its own costs nothing but that statement: its pooled connection stays.
import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { PgDb } from '../src/db/pg-db.js';
import { sideConnections, type SideConnections } from './side-connections.js';
import { startManager } from '../src/server.js';
import type { DeepPartial, ManagerConfig } from '../src/config.js';
import { createTestDatabase, startTestManager, testStores, type TestManager } from '../src/testing.js';
import { api, waitFor, type Api } from './api.js';
import { TcpRelay } from './tcp-relay.js';

describe.runIf(testStores().includes('postgres'))('a PostgreSQL connection lost mid-transaction', () => {
  let m: TestManager;
  let http: Api;
  let side: pg.Client;
  let observer: pg.Client;
  let connections: SideConnections | undefined;

  beforeAll(async () => {
    m = await startTestManager({ store: 'postgres' });
    http = api(m.url);
    connections = await sideConnections(m.databaseUrl!);
    ({ side, observer } = connections);
  });
  afterAll(async () => {
    await connections?.end();
    await m?.close();
  });

  it('answers 503 for that request, keeps the process up and the data unchanged', async () => {
    const job = (await http.post('/jobs', { name: 'conn-loss', stages: [{ type: 'cl', tasks: [{}, {}] }] })).body;
    // Hold the job's row so the manager's cancel transaction waits on it with a checked-out connection…
    await side.query('BEGIN');
    await side.query('SELECT id FROM jobs WHERE id = $1 FOR UPDATE', [job.id]);
    const cancel = http.post(`/jobs/${job.id}/cancel`);
    const waiting = await waitFor(
      async () => (await observer.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows,
      (rows) => rows.length === 1,
    );
    // …and kill that connection, as a PostgreSQL restart would.
    await observer.query('SELECT pg_terminate_backend($1)', [waiting[0].pid]);
    const res = await cancel;
    expect([res.status, res.body.code]).toEqual([503, 'UNAVAILABLE']);
    expect(res.headers.get('retry-after')).toBe('1');
    await side.query('ROLLBACK');

    // The process survived, the cancel left nothing behind, and a retry on a fresh connection works.
    const after = await http.get(`/jobs/${job.id}`);
    expect([after.status, after.body.status]).toEqual([200, 'PENDING']);
    const retried = await http.post(`/jobs/${job.id}/cancel`);
    expect([retried.status, retried.body.status]).toEqual([200, 'ABORTED']);
  });
});

describe.runIf(testStores().includes('postgres'))('an SQL error on a statement of its own', () => {
  let m: TestManager;
  // One pooled connection, so every statement runs on it.
  beforeAll(async () => {
    m = await startTestManager({ store: 'postgres', config: { database: { poolSize: 1 } } });
  });
  afterAll(() => m?.close());

  it('keeps its connection: no new backend (and no preparing every named statement again) for each error', async () => {
    const db = m.manager.db;
    const pid = async () => (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid;
    const before = await pid();
    await expect(db.query('SELECT 1 / 0')).rejects.toMatchObject({ code: '22012' });
    await expect(db.query({ name: 'test_fails', text: 'SELECT 1 / $1::int' }, [0])).rejects.toMatchObject({ code: '22012' });
    expect(await pid()).toBe(before);
    // The manager still serves on it.
    const job = (await api(m.url).post('/jobs', { name: 'one', stages: [{ type: 'sql-error', tasks: [{}] }] })).body;
    expect((await api(m.url).get(`/jobs/${job.id}`)).body.status).toBe('PENDING');
    expect(await pid()).toBe(before);
  });
});

describe.runIf(testStores().includes('postgres'))("the pool's sessions", () => {
  let m: TestManager;
  beforeAll(async () => {
    m = await startTestManager({ store: 'postgres' });
  });
  afterAll(() => m?.close());

  // A session idle inside a transaction belongs to a frozen replica (test/chaos/test/frozen-manager.test.ts).
  it('are ended by PostgreSQL after 30 s idle inside a transaction, unless configured otherwise', async () => {
    const [row] = await m.manager.db.query<{ t: string }>("SELECT current_setting('idle_in_transaction_session_timeout') AS t");
    expect(row!.t).toBe('30s');
  });
});

/** A manager whose database is reached through a relay the test controls (tcp-relay.ts). */
async function managerBehindRelay(config: DeepPartial<ManagerConfig>, logger = pino({ level: 'silent' })) {
  const db = await createTestDatabase();
  const relay = await TcpRelay.reserve(db.url);
  await relay.listen();
  const manager = await startManager({ ...config, http: { host: '127.0.0.1', port: 0 }, database: { ...config.database, url: relay.urlFor(db.url) } }, logger);
  return {
    relay,
    manager,
    async close() {
      relay.mode = 'relay';
      relay.cutAll();
      await manager.close();
      await relay.close();
      await db.drop();
    },
  };
}

describe.runIf(testStores().includes('postgres'))('a database that stops answering', () => {
  let behind: Awaited<ReturnType<typeof managerBehindRelay>>;
  let http: Api;

  beforeAll(async () => {
    behind = await managerBehindRelay({ database: { poolSize: 2, connectTimeoutMs: 500, queryTimeoutMs: 700 }, log: { level: 'silent' } });
    http = api(behind.manager.url);
  });
  afterAll(() => behind?.close());

  const readyGauge = async () => Number(/^jobnik_ready (\d+)$/m.exec(await (await fetch(`${behind.manager.url}/metrics`)).text())?.[1]);

  /** A fresh job, then the outage, then: 503 UNAVAILABLE in time, and the job readable again once the database answers. */
  async function acrossOutage(name: string, outage: () => void, extra?: () => Promise<void>) {
    const job = await http.post('/jobs', { name, stages: [{ type: name, tasks: [{}] }] });
    expect(job.status).toBe(201);
    outage();
    // A deadline far past the timeouts: without them, this request would wait for the database forever.
    const res = await fetch(`${behind.manager.url}/jobs/${job.body.id}`, { signal: AbortSignal.timeout(15_000) });
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([503, 'UNAVAILABLE']);
    expect(res.headers.get('retry-after')).toBe('1');
    await extra?.();

    behind.relay.mode = 'relay';
    const back = await waitFor(() => http.get(`/jobs/${job.body.id}`), (r) => r.status === 200, { timeoutMs: 15_000 });
    expect(back.body).toMatchObject({ id: job.body.id, status: 'PENDING' });
  }

  it('a partition (connections accepted, nothing answered): 503 after database.connectTimeoutMs instead of hanging, then serves again', () =>
    acrossOutage(
      'partitioned',
      () => {
        behind.relay.mode = 'silent';
        behind.relay.cutAll(); // the pool's connections are gone; new ones are accepted and never answered
      },
      async () => {
        expect((await http.get('/health/ready')).status).toBe(503);
        // What alerting reads (the pods stay up and scraped): this replica cannot do its work.
        expect(await readyGauge()).toBe(0);
      },
    ).then(async () => expect(await readyGauge()).toBe(1)));

  it('a host lost mid-statement (open connections carry nothing more): the connection is dropped after database.queryTimeoutMs, 503, then new connections reach the database', () =>
    // The frozen connections must not keep the manager from the database once it answers again (a new primary).
    acrossOutage('vanishing', () => behind.relay.freeze()));
});

describe.runIf(testStores().includes('postgres'))('a scrape while the database does not answer', () => {
  let behind: Awaited<ReturnType<typeof managerBehindRelay>>;
  beforeAll(async () => {
    // A connect timeout longer than Prometheus' scrape timeout (10 s by default): no read of the scrape may wait for it.
    behind = await managerBehindRelay({ database: { poolSize: 2, connectTimeoutMs: 60_000 }, log: { level: 'silent' } });
  });
  afterAll(() => behind?.close());

  it('is answered within a scrape timeout: not ready, the xmin horizon unknown, the rest served', async () => {
    behind.relay.mode = 'silent';
    behind.relay.cutAll();
    const res = await fetch(`${behind.manager.url}/metrics`, { signal: AbortSignal.timeout(9_000) });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^jobnik_ready 0$/m);
    expect(text).toMatch(/^jobnik_db_xmin_horizon_age_seconds nan$/im); // prom-client writes NaN as Nan; Prometheus reads either
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    // The queue gauges are declared, without samples, and jobnik_queue_depth_up says their depths could not be read.
    expect(text).toMatch(/^# TYPE jobnik_queue_depth gauge$/m);
    expect(text).not.toMatch(/^jobnik_queue_depth\{/m);
    expect(text).toMatch(/^jobnik_queue_depth_up 0$/m);
  });
});

describe.runIf(testStores().includes('postgres'))('a database outage in the logs', () => {
  let behind: Awaited<ReturnType<typeof managerBehindRelay>>;
  const logs: { level: number; msg: string; error?: string }[] = [];
  const LOOPS = ['sweep', 'scheduler tick', 'webhook delivery round'];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line) as (typeof logs)[number]);
        cb();
      },
    });
    behind = await managerBehindRelay(
      {
        database: { poolSize: 2, connectTimeoutMs: 100 },
        // Loops that tick every 20 ms: before, each tick of the outage logged an error with its stack.
        scheduler: { tickMs: 20 },
        webhooks: { pollMs: 20 },
        tasks: { sweepIntervalMs: 20 },
      },
      pino({ level: 'info' }, sink),
    );
  });
  afterAll(() => behind?.close());

  it('each loop says once that it paused, and once that it resumed, however many ticks the outage lasts', async () => {
    const { relay, manager } = behind;
    relay.mode = 'silent';
    relay.cutAll();
    const before = relay.accepted;
    // Many tries of the loops (and the LISTEN connection) have met the outage.
    await waitFor(async () => relay.accepted - before, (n) => n >= 60, { timeoutMs: 30_000 });
    const paused = (name: string) => logs.filter((l) => l.msg.startsWith(`${name} paused: the database is unreachable`));
    for (const name of LOOPS) {
      expect(paused(name), name).toHaveLength(1);
      expect(paused(name)[0]!.level).toBe(40);
      expect(paused(name)[0]!.error).toMatch(/timeout|terminated/i);
    }
    expect(logs.filter((l) => / failed$/.test(l.msg))).toEqual([]);
    expect(logs.filter((l) => l.msg.startsWith('LISTEN reconnect failed')).length).toBeLessThanOrEqual(1);

    // Requests met by the outage: each answered 503, logged as one line without a stack, at most one a second.
    const asked = performance.now();
    const answers = await Promise.all(Array.from({ length: 30 }, () => api(manager.url).get('/jobs')));
    expect(answers.map((r) => r.status)).toEqual(Array(30).fill(503));
    const unreachable = logs.filter((l) => l.msg === 'database unreachable: request answered 503');
    expect(unreachable.length).toBeGreaterThanOrEqual(1);
    expect(unreachable.length).toBeLessThanOrEqual(Math.ceil((performance.now() - asked) / 1000) + 1);
    expect(unreachable[0]!.error).toMatch(/timeout|terminated/i);
    expect(logs.filter((l) => l.msg.startsWith('database error answered'))).toEqual([]);
    expect(JSON.stringify(unreachable)).not.toMatch(/\n\s+at /);

    relay.mode = 'relay';
    await waitFor(async () => LOOPS.filter((name) => logs.some((l) => l.msg === `${name} resumed: the database answers again`)), (done) => done.length === LOOPS.length, { timeoutMs: 30_000 });
    for (const name of LOOPS) expect(paused(name), name).toHaveLength(1);
    expect((await api(manager.url).get('/health/ready')).status).toBe(200);
  });
});

describe.runIf(testStores().includes('postgres'))('migrations and database.queryTimeoutMs', () => {
  it('are not cut off: a migration waiting past the timeout (another replica migrating) still completes', async () => {
    const db = await createTestDatabase();
    const side = new pg.Client({ connectionString: db.url });
    await side.connect();
    const pgDb = new PgDb({ url: db.url, poolSize: 2, queryTimeoutMs: 200, logger: pino({ level: 'silent' }) });
    try {
      // Another replica holds the migration lock (migrate.ts) for longer than the timeout.
      await side.query('BEGIN');
      await side.query('SELECT pg_advisory_xact_lock(7311942)');
      const migrating = migrate(pgDb);
      await waitFor(
        // Read on the pool (side's transaction would see one snapshot of pg_stat_activity throughout).
        async () => (await pgDb.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory'`))[0]!.n,
        (n) => n === 1,
      );
      // The window in which a guard of 200 ms would have dropped the waiting connection (an absence takes a window).
      await new Promise((r) => setTimeout(r, 600));
      await side.query('COMMIT');
      expect((await migrating).length).toBeGreaterThan(10);
      // Ordinary statements stay bounded on the same pool.
      await expect(pgDb.query('SELECT pg_sleep(1)')).rejects.toThrow(/Connection terminated|did not answer/);
    } finally {
      await side.end();
      await pgDb.close();
      await db.drop();
    }
  });
});
