// GET /stats throughput is per tenant and cluster-wide: every replica writes what its acks and sweeper
// finished, and each key sees the sum over all replicas for its own tenant only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManager, type StartedManager } from '../src/server.js';
import { createTestDatabase, testStores, type TestDatabase } from '../src/testing.js';
import { api, waitFor } from './api.js';

const ADMIN = 'stats-admin-secret';

async function startReplica(databaseUrl: string): Promise<StartedManager> {
  return startManager({ http: { host: '127.0.0.1', port: 0 }, database: { url: databaseUrl, pgliteDir: 'memory://' }, auth: { mode: 'apiKey', adminKey: ADMIN }, log: { level: 'silent' } });
}

function as(url: string, key: string) {
  const a = api(url);
  const h = { 'x-api-key': key };
  return { get: (p: string) => a.raw('GET', p, undefined, h), post: (p: string, b?: unknown) => a.raw('POST', p, b, h) };
}

/** Creates a job of `n` tasks for the key's tenant and completes `complete` of them, failing the rest for good. */
async function finish(url: string, key: string, type: string, complete: number, fail: number): Promise<void> {
  const c = as(url, key);
  await c.post('/jobs', { name: 'stats', stages: [{ type, failFast: false, tasks: Array.from({ length: complete + fail }, () => ({ maxAttempts: 1 })) }] });
  const tasks = (await c.post('/dequeue', { workerId: 'w', max: complete + fail, stageTypes: [type] })).body.tasks;
  await c.post('/tasks/complete', { items: tasks.slice(0, complete).map((t: any) => ({ taskId: t.id, leaseToken: t.leaseToken })) });
  if (fail) await c.post('/tasks/fail', { items: tasks.slice(complete).map((t: any) => ({ taskId: t.id, leaseToken: t.leaseToken, error: { message: 'no' } })) });
}

async function keyFor(url: string, tenantId: string): Promise<string> {
  return (await as(url, ADMIN).post('/api-keys', { tenantId, role: 'admin', name: tenantId })).body.key;
}

describe.runIf(testStores().includes('postgres'))('throughput in /stats across two replicas', () => {
  let database: TestDatabase;
  let one: StartedManager;
  let two: StartedManager;
  beforeAll(async () => {
    database = await createTestDatabase();
    one = await startReplica(database.url);
    two = await startReplica(database.url);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await database?.drop();
  });

  it('sums what both replicas finished, for the caller\'s tenant only', async () => {
    const producer = async (tenantId: string) => (await as(one.url, ADMIN).post('/api-keys', { tenantId, role: 'producer', name: `p-${tenantId}` })).body.key as string;
    const worker = async (tenantId: string) => (await as(one.url, ADMIN).post('/api-keys', { tenantId, role: 'worker', name: `w-${tenantId}` })).body.key as string;
    const [pa, wa, pb] = [await producer('tenant-a'), await worker('tenant-a'), await producer('tenant-b')];
    // Jobs are created with the producer key, then leased and acked through each replica with the worker key.
    for (const [url, type, n] of [[one.url, 'st-one', 2], [two.url, 'st-two', 3]] as const) {
      await as(url, pa).post('/jobs', { name: 'stats', stages: [{ type, tasks: Array.from({ length: n }, () => ({})) }] });
      const tasks = (await as(url, wa).post('/dequeue', { workerId: 'w', max: n, stageTypes: [type] })).body.tasks;
      await as(url, wa).post('/tasks/complete', { items: tasks.map((t: any) => ({ taskId: t.id, leaseToken: t.leaseToken })) });
    }
    // Either replica answers the cluster's figure.
    for (const url of [one.url, two.url]) await waitFor(async () => (await as(url, pa).get('/stats')).body, (s) => s.throughput.completedLastMinute === 5);
    const other = (await as(two.url, pb).get('/stats')).body;
    expect(other.throughput).toMatchObject({ completedLastMinute: 0, failedLastMinute: 0 });
  });
});

describe.each(testStores())('throughput in /stats on %s', (store) => {
  let database: TestDatabase | null = null;
  let m: StartedManager;
  beforeAll(async () => {
    database = store === 'postgres' ? await createTestDatabase() : null;
    m = await startReplica(database?.url ?? '');
  });
  afterAll(async () => {
    await m?.close();
    await database?.drop();
  });

  it('counts completions and final failures per tenant; another tenant sees none of them', async () => {
    const a = await keyFor(m.url, 'tenant-a');
    await finish(m.url, a, 'st-a', 3, 1);
    // Admin keys of a tenant still read their own tenant's figures when they name it.
    const mine = await waitFor(async () => (await as(m.url, a).get('/stats?tenantId=tenant-a')).body, (s) => s.throughput.completedLastMinute === 3 && s.throughput.failedLastMinute === 1);
    expect(mine).toMatchObject({ throughput: { failedLastMinute: 1 }, failuresLastHour: 1 });
    const viewerB = (await as(m.url, ADMIN).post('/api-keys', { tenantId: 'tenant-b', role: 'viewer', name: 'b' })).body.key as string;
    const theirs = (await as(m.url, viewerB).get('/stats')).body;
    expect(theirs).toMatchObject({ throughput: { completedLastMinute: 0, failedLastMinute: 0 }, failuresLastHour: 0 });
  });
});
