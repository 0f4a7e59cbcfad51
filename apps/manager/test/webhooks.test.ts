// Webhooks through the outbox: each event arrives once with a valid signature, after the receiver
// failed twice, after a manager restart with the receiver down, and after its job was deleted.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManager, type StartedManager } from '../src/server.js';
import { createTestDatabase, testStores, type TestDatabase } from '../src/testing.js';
import { api, waitFor } from './api.js';

interface Received {
  delivery: string;
  event: string;
  validSignature: boolean;
  body: any;
  answered: number;
}

const SECRET = 'whsec-test-secret';

function receiver(plan: { failFirst: number }) {
  const received: Received[] = [];
  let calls = 0;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      calls++;
      const ts = String(req.headers['x-jobnik-timestamp']);
      const expected = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${raw}`).digest('hex')}`;
      const answered = calls <= plan.failFirst ? 500 : 200;
      received.push({ delivery: String(req.headers['x-jobnik-delivery']), event: String(req.headers['x-jobnik-event']), validSignature: req.headers['x-jobnik-signature'] === expected, body: JSON.parse(raw), answered });
      res.writeHead(answered).end();
    });
  });
  return {
    received,
    listen: (port = 0) => new Promise<number>((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port))),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe.each(testStores())('webhooks on %s', (store) => {
  let database: TestDatabase | null = null;
  let dir: string;
  let m: StartedManager;
  const start = () =>
    startManager({
      http: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      database: { url: database?.url ?? '', pgliteDir: join(dir, 'pglite') },
      webhooks: { pollMs: 50, retryBaseMs: 50, timeoutMs: 2000 },
    });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jobnik-wh-'));
    database = store === 'postgres' ? await createTestDatabase() : null;
    m = await start();
  });
  afterAll(async () => {
    await m.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const runJob = async (url: string, events?: string[]) => {
    const a = api(m.url);
    const job = (await a.post('/jobs', { name: 'hooked', webhooks: [{ url, secret: SECRET, ...(events ? { events } : {}) }], stages: [{ type: `wh-${store}`, tasks: [{}] }] })).body;
    expect(job.webhooks).toEqual([{ url, events: events ?? null }]);
    const d = (await a.post('/dequeue', { workerId: 'w', stageTypes: [`wh-${store}`] })).body;
    await a.post('/tasks/complete', { items: [{ taskId: d.tasks[0].id, leaseToken: d.tasks[0].leaseToken }] });
    return job.id as string;
  };

  it('delivers each event once, signed, after the receiver answered 500 twice', async () => {
    const r = receiver({ failFirst: 2 });
    const port = await r.listen();
    const jobId = await runJob(`http://127.0.0.1:${port}/hook`);
    const ok = await waitFor(async () => r.received.filter((x) => x.answered === 200), (v) => v.length >= 2, { timeoutMs: 10_000 });
    expect(ok.map((x) => x.event).sort()).toEqual(['job.completed', 'stage.completed']);
    expect(ok.every((x) => x.validSignature)).toBe(true);
    expect(new Set(ok.map((x) => x.delivery)).size).toBe(2);
    expect(ok.find((x) => x.event === 'job.completed')!.body).toMatchObject({ jobId, status: 'COMPLETED', job: { name: 'hooked', status: 'COMPLETED' } });
    const log = (await api(m.url).get(`/jobs/${jobId}/webhook-deliveries`)).body.items;
    expect(log).toHaveLength(2);
    expect(log.every((d: any) => d.deliveredAt !== null && d.lastStatus === 200)).toBe(true);
    expect(log.reduce((n: number, d: any) => n + d.attempts, 0)).toBe(4);
    // The log in pages of one: the same entries, oldest first, and the last page says it is the last.
    const first = (await api(m.url).get(`/jobs/${jobId}/webhook-deliveries?limit=1`)).body;
    const second = (await api(m.url).get(`/jobs/${jobId}/webhook-deliveries?limit=1&cursor=${first.nextCursor}`)).body;
    expect([...first.items, ...second.items]).toEqual(log);
    expect([typeof first.nextCursor, second.nextCursor]).toEqual(['string', null]);
    const forged = await api(m.url).get(`/jobs/${jobId}/webhook-deliveries?cursor=${Buffer.from('["x"]').toString('base64url')}`);
    expect([forged.status, forged.body.code, forged.body.errors[0].path]).toEqual([400, 'VALIDATION_FAILED', '/query/cursor']);
    await r.close();
  });

  it('keeps undelivered events across a manager restart and delivers them once', async () => {
    const r = receiver({ failFirst: 0 });
    const port = await r.listen();
    await r.close(); // the receiver is down while the job finishes
    const jobId = await runJob(`http://127.0.0.1:${port}/hook`, ['job.completed']);
    await waitFor(async () => (await api(m.url).get(`/jobs/${jobId}/webhook-deliveries`)).body.items[0]?.attempts ?? 0, (n) => n >= 1);
    await m.close();
    m = await start();
    await r.listen(port);
    const got = await waitFor(async () => r.received, (v) => v.length >= 1, { timeoutMs: 15_000 });
    expect(got.map((x) => x.event)).toEqual(['job.completed']);
    expect(got[0]!.validSignature).toBe(true);
    await waitFor(async () => (await api(m.url).get(`/jobs/${jobId}/webhook-deliveries`)).body.items[0].deliveredAt, (v) => v !== null);
    expect(r.received).toHaveLength(1);
    await r.close();
  });

  /** The outbox rows of a job, found by their payload (a deleted job's rows no longer carry its id). */
  const eventsOf = (jobId: string) =>
    m.db.query<{ job_id: string | null; delivered: boolean }>(`SELECT job_id, delivered_at IS NOT NULL AS delivered FROM webhook_events WHERE payload->>'jobId' = $1`, [jobId]);

  it('delivers the events of a job deleted before they were delivered; retention then removes them', async () => {
    const r = receiver({ failFirst: 3 });
    const port = await r.listen();
    const a = api(m.url);
    const job = (await a.post('/jobs', { name: 'hooked', webhooks: [{ url: `http://127.0.0.1:${port}/hook`, secret: SECRET, events: ['job.aborted'] }], stages: [{ type: `wh-del-${store}`, tasks: [{}] }] })).body;
    expect((await a.post(`/jobs/${job.id}/cancel`)).status).toBe(200);
    expect((await a.del(`/jobs/${job.id}`)).status).toBe(204);
    // The receiver answers 500 three times: the event is retried after its job is gone (it was deleted with it).
    const ok = await waitFor(async () => r.received.filter((x) => x.answered === 200), (v) => v.length >= 1, { timeoutMs: 10_000 });
    expect(ok.map((x) => x.event)).toEqual(['job.aborted']);
    expect(ok[0]!.validSignature).toBe(true);
    expect(ok[0]!.body).toMatchObject({ jobId: job.id, status: 'ABORTED', job: { id: job.id, status: 'ABORTED' } });
    expect(r.received.map((x) => x.answered)).toEqual([500, 500, 500, 200]);
    expect(await waitFor(() => eventsOf(job.id), (rows) => rows[0]?.delivered === true)).toEqual([{ job_id: null, delivered: true }]);
    await m.retention.sweep();
    expect(await eventsOf(job.id)).toEqual([]);
    await r.close();
  });

  it('deletes the delivered events of a job with the job', async () => {
    const r = receiver({ failFirst: 0 });
    const port = await r.listen();
    const jobId = await runJob(`http://127.0.0.1:${port}/hook`, ['job.completed']);
    await waitFor(() => eventsOf(jobId), (rows) => rows[0]?.delivered === true);
    expect((await api(m.url).del(`/jobs/${jobId}`)).status).toBe(204);
    expect(await eventsOf(jobId)).toEqual([]);
    await r.close();
  });

  it('rejects webhook URLs that are not http(s)', async () => {
    const bad = await api(m.url).post('/jobs', { name: 'x', webhooks: [{ url: 'file:///etc/passwd' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('/body/webhooks/0/url');
  });
});
