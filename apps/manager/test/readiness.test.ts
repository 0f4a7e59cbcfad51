// Readiness means "can do its work": a manager on a database the migrations have not reached answers
// /health/ready 503 with the reason, refuses API calls with the same reason, keeps its background loops
// parked without logging every tick, and becomes ready by itself once the schema is migrated.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { requiredSchemaVersion } from '../src/db/schema-version.js';
import { startManager, type StartedManager } from '../src/server.js';
import { createTestDatabase, testStores, type TestDatabase } from '../src/testing.js';
import { api, waitFor } from './api.js';

const ADMIN = 'readiness-test-admin-key';
const asAdmin = { 'x-api-key': ADMIN };

describe.each(testStores())('readiness on an unmigrated %s database', (store) => {
  let m: StartedManager;
  let database: TestDatabase | null = null;
  const logs: { level: number; msg: string }[] = [];

  beforeAll(async () => {
    database = store === 'postgres' ? await createTestDatabase() : null;
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line) as { level: number; msg: string });
        cb();
      },
    });
    m = await startManager(
      {
        http: { host: '127.0.0.1', port: 0 },
        database: { url: database?.url ?? '', pgliteDir: 'memory://', migrateOnStart: false },
        auth: { mode: 'apiKey', adminKey: ADMIN },
        // Loops that used to fail (and log) every few milliseconds on missing tables.
        scheduler: { tickMs: 20 },
        webhooks: { pollMs: 20 },
        tasks: { sweepIntervalMs: 20 },
      },
      pino({ level: 'info' }, sink),
    );
  });

  afterAll(async () => {
    await m?.close();
    await database?.drop();
  });

  it('answers /health/ready 503 naming the schema versions and the fix, while /health/live stays 200', async () => {
    const required = requiredSchemaVersion();
    expect(required).toBeGreaterThan(0);
    const ready = await api(m.url).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', database: store, schema: { applied: 0, required } });
    expect(ready.body.reason).toBe(
      `database schema is at version 0, this manager needs ${required}: run \`jobnik-manager migrate\` (the Helm chart runs it as a hook Job) or start with JOBNIK_MIGRATE_ON_START=true`,
    );
    expect((await api(m.url).get('/health/live')).status).toBe(200);
  });

  it('refuses API calls with 503 UNAVAILABLE and the same reason, not a 500 from a missing table', async () => {
    // The key cannot even be checked: the api_keys table is missing too.
    const res = await api(m.url).raw('GET', '/jobs', undefined, asAdmin);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    expect(res.body.detail).toContain('database schema is at version 0');
  });

  it('logs the problem once instead of on every loop tick', async () => {
    // An absence can only be observed over a window: at 20 ms per tick, three loops would have logged ~150
    // failures in it before.
    await new Promise((r) => setTimeout(r, 1_000));
    const errors = logs.filter((l) => l.level >= 40);
    expect(errors.map((l) => l.msg)).toEqual([expect.stringContaining('database schema is at version 0')]);
    expect(logs.some((l) => /relation .* does not exist/.test(JSON.stringify(l)))).toBe(false);
  });

  it('becomes ready, serves the API and starts its loops once the schema is migrated', async () => {
    await migrate(m.db);
    const ready = await waitFor(() => api(m.url).get('/health/ready'), (r) => r.status === 200, { timeoutMs: 15_000, everyMs: 100 });
    expect(ready.body).toMatchObject({ status: 'ok', schema: { applied: requiredSchemaVersion(), required: requiredSchemaVersion() } });
    expect((await api(m.url).raw('GET', '/jobs', undefined, asAdmin)).status).toBe(200);
    await waitFor(async () => logs.some((l) => l.msg === 'database schema is current: starting background work'), Boolean, { timeoutMs: 10_000 });
    expect(logs.filter((l) => l.level >= 40)).toHaveLength(1);
  });
});
