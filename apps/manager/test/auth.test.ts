// API keys, roles and tenant isolation over real HTTP.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManager, type StartedManager } from '../src/server.js';
import { createTestDatabase, testStores, type TestDatabase } from '../src/testing.js';
import { api, tasksOf } from './api.js';

const ADMIN = 'bootstrap-admin-secret-for-tests';

describe.each(testStores())('auth on %s', (store) => {
  let m: StartedManager;
  let database: TestDatabase | null = null;
  const logs: string[] = [];
  let keys: Record<string, string>;
  const as = (key?: string) => {
    const a = api(m.url);
    const h = key ? { 'x-api-key': key } : {};
    return {
      get: (p: string) => a.raw('GET', p, undefined, h),
      post: (p: string, b?: unknown) => a.raw('POST', p, b, h),
      patch: (p: string, b?: unknown) => a.raw('PATCH', p, b, h),
      del: (p: string) => a.raw('DELETE', p, undefined, h),
    };
  };

  beforeAll(async () => {
    database = store === 'postgres' ? await createTestDatabase() : null;
    const sink = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
    m = await startManager(
      { http: { host: '127.0.0.1', port: 0 }, database: { url: database?.url ?? '', pgliteDir: 'memory://' }, auth: { mode: 'apiKey', adminKey: ADMIN, rateLimitPerMinute: 0 } },
      pino({ level: 'trace' }, sink),
    );
    const admin = as(ADMIN);
    keys = {};
    for (const [name, body] of Object.entries({
      producerA: { tenantId: 'tenant-a', role: 'producer', name: 'A producer' },
      workerA: { tenantId: 'tenant-a', role: 'worker', name: 'A worker', stageTypes: ['a-render'] },
      producerB: { tenantId: 'tenant-b', role: 'producer', name: 'B producer' },
      workerB: { tenantId: 'tenant-b', role: 'worker', name: 'B worker' },
      viewerA: { tenantId: 'tenant-a', role: 'viewer', name: 'A on-call' },
    })) {
      const r = await admin.post('/api-keys', body);
      expect(r.status).toBe(201);
      expect(r.body.key).toMatch(/^jbk_[0-9a-f]{8}_/);
      keys[name] = r.body.key;
    }
  });
  afterAll(async () => {
    await m.close();
    await database?.drop();
  });

  it('a viewer key reads its tenant (jobs, tasks, queues, stats) and writes nothing', async () => {
    const job = (await as(keys.producerA).post('/jobs', { name: 'viewed', stages: [{ type: 'a-viewed', tasks: [{}] }] })).body;
    const viewer = as(keys.viewerA);
    expect((await viewer.get(`/jobs/${job.id}?include=tasks`)).body.stages[0].tasks).toHaveLength(1);
    for (const path of ['/jobs', '/tasks', '/queues', '/stats', '/workers', '/schedules', '/job-types', `/jobs/${job.id}/webhook-deliveries`]) {
      expect([path, (await viewer.get(path)).status]).toEqual([path, 200]);
    }
    const writes = [
      viewer.post('/jobs', { name: 'nope' }),
      viewer.post(`/jobs/${job.id}/cancel`),
      viewer.patch(`/jobs/${job.id}`, { userMetadata: { a: 1 } }),
      viewer.del(`/jobs/${job.id}`),
      viewer.post('/dequeue', { workerId: 'w', stageTypes: ['a-viewed'] }),
      viewer.post('/schedules', { name: 's', cron: '* * * * *', jobTemplate: { name: 'x' } }),
      viewer.post('/api-keys', { tenantId: 'tenant-a', role: 'admin', name: 'escalate' }),
    ];
    for (const res of await Promise.all(writes)) expect([res.status, res.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await viewer.get(`/jobs/${job.id}`)).body.status).toBe('PENDING');
    // Another tenant's job does not exist for this viewer.
    const other = (await as(ADMIN).post('/jobs', { name: 'z-only', tenantId: 'tenant-z' })).body;
    expect((await viewer.get(`/jobs/${other.id}`)).status).toBe(404);
  });

  it('needs a key (401), the right role (403), and leaves system routes open', async () => {
    expect((await as().get('/jobs')).body).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect((await as('jbk_nope_nope').get('/jobs')).body.code).toBe('UNAUTHORIZED');
    expect((await as(keys.workerA).post('/jobs', { name: 'x' })).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await as(keys.producerA).post('/dequeue', { workerId: 'w', stageTypes: ['a-render'] })).body.code).toBe('FORBIDDEN');
    expect((await as(keys.producerA).post('/api-keys', { tenantId: 'tenant-a', role: 'admin', name: 'escalate' })).body.code).toBe('FORBIDDEN');
    expect((await as(keys.producerA).patch('/queues/a-render', { paused: true })).body.code).toBe('FORBIDDEN');
    expect((await as().get('/health/ready')).status).toBe(200);
    expect((await as().get('/openapi.json')).status).toBe(200);
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const bearer = await api(m.url).raw('GET', '/jobs', undefined, { authorization: `${scheme} ${keys.producerA}` });
      expect(bearer.status, scheme).toBe(200);
    }
    const basic = await api(m.url).raw('GET', '/jobs', undefined, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
    expect([basic.status, basic.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="jobnik"']);
    const revoked = await api(m.url).raw('GET', '/jobs', undefined, { authorization: 'Bearer jbk_nope_nope' });
    expect([revoked.status, revoked.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="jobnik", error="invalid_token"']);
  });

  it("keeps tenants apart: another tenant's ids answer 404 and change nothing", async () => {
    const job = (await as(keys.producerA).post('/jobs', { name: 'secret', data: { pin: 1234 }, stages: [{ type: 'a-render', tasks: tasksOf(2) }] })).body;
    expect(job.tenantId).toBe('tenant-a');
    const stageId = job.stages[0].id;
    const b = as(keys.producerB);
    for (const p of [`/jobs/${job.id}`, `/jobs/${job.id}/stages`, `/stages/${stageId}`, `/stages/${stageId}/tasks`, `/stages/${stageId}/summary`]) {
      const r = await b.get(p);
      expect(r.status, p).toBe(404);
      expect(JSON.stringify(r.body)).not.toContain('1234');
    }
    for (const p of [`/jobs/${job.id}/cancel`, `/jobs/${job.id}/suspend`, `/stages/${stageId}/cancel`]) expect((await b.post(p)).status, p).toBe(404);
    expect((await b.post(`/stages/${stageId}/tasks`, { tasks: [{}] })).status).toBe(404);
    expect((await b.patch(`/jobs/${job.id}`, { userMetadata: { hacked: true } })).status).toBe(404);
    expect((await b.del(`/jobs/${job.id}`)).status).toBe(404);
    expect((await b.get('/jobs')).body.items).toHaveLength(0);
    expect((await b.get(`/tasks?jobId=${job.id}`)).body.items).toHaveLength(0);
    expect((await b.post('/jobs', { name: 'x', tenantId: 'tenant-a' })).body.code).toBe('FORBIDDEN');
    // Tenant B's worker sees no tenant A work, even for the same stage type.
    expect((await as(keys.workerB).post('/dequeue', { workerId: 'wb', max: 10, stageTypes: ['a-render'] })).body.tasks).toHaveLength(0);
    // Tenant A is untouched.
    const after = (await as(keys.producerA).get(`/jobs/${job.id}`)).body;
    expect(after).toMatchObject({ status: 'PENDING', userMetadata: {} });
    expect((await as(keys.workerA).post('/dequeue', { workerId: 'wa', max: 10, stageTypes: ['a-render'] })).body.tasks).toHaveLength(2);
    // An admin sees every tenant.
    expect((await as(ADMIN).get(`/jobs/${job.id}`)).status).toBe(200);
  });

  it('limits worker keys to their stage types', async () => {
    const r = await as(keys.workerA).post('/dequeue', { workerId: 'wa', stageTypes: ['a-render', 'other'] });
    expect(r.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it('revoked keys stop working at once on this replica', async () => {
    const created = (await as(ADMIN).post('/api-keys', { tenantId: 'tenant-c', role: 'producer', name: 'temp' })).body;
    expect((await as(created.key).get('/jobs')).status).toBe(200);
    expect((await as(ADMIN).get('/api-keys')).body.items.find((k: any) => k.id === created.id)).not.toHaveProperty('key');
    expect((await as(ADMIN).del(`/api-keys/${created.id}`)).status).toBe(204);
    expect((await as(created.key).get('/jobs')).status).toBe(401);
  });

  it('never writes a key to the logs', () => {
    const all = logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const k of [ADMIN, ...Object.values(keys)]) expect(all).not.toContain(k);
  });
});

describe('rate limit', () => {
  let m: StartedManager;
  beforeAll(async () => {
    m = await startManager({ http: { host: '127.0.0.1', port: 0 }, database: { pgliteDir: 'memory://' }, auth: { mode: 'none', rateLimitPerMinute: 5 }, log: { level: 'silent' } });
  });
  afterAll(() => m.close());

  it('answers 429 RATE_LIMITED with Retry-After past the limit, and leaves health checks alone', async () => {
    const a = api(m.url);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await a.get('/jobs')).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const limited = await a.get('/jobs');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await a.get('/health/live')).status).toBe(200);
  });
});
