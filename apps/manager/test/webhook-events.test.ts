// Webhooks' newer events and custom headers over real HTTP on both stores: job.started and stage.started
// when the first task is leased, task.failed when a task fails for good, each with the subscription's own
// headers; header names the delivery owns, hop-by-hop names fetch refuses, and values with line breaks, are refused
// with a 400; a failed delivery's log says why it failed.
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portOutsideEphemeralRange, testStores } from '../src/testing.js';
import { waitFor } from './api.js';
import { useManager } from './fixtures.js';

interface Got {
  event: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

describe.each(testStores())('webhook events on %s', (store) => {
  const t = useManager(store, { webhooks: { pollMs: 50, retryBaseMs: 50 } });
  const got: Got[] = [];
  let url = '';
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      got.push({ event: String(req.headers['x-jobnik-event']), headers: req.headers, body: JSON.parse(raw) });
      res.writeHead(204).end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

  it('tells job.started, stage.started and task.failed, with the subscription headers', async () => {
    const type = `whe-${store}`;
    const job = (
      await t.a.post('/jobs', {
        name: 'hooked-more',
        webhooks: [{ url, events: ['job.started', 'stage.started', 'task.failed', 'job.failed'], headers: { Authorization: 'Bearer receiver-token', 'X-Team': 'maps' } }],
        stages: [{ type, tasks: [{ data: 1, maxAttempts: 1 }, { data: 2 }] }],
      })
    ).body;
    expect(job.webhooks).toEqual([{ url, events: ['job.started', 'stage.started', 'task.failed', 'job.failed'], headers: ['Authorization', 'X-Team'] }]);
    const d = (await t.a.post('/dequeue', { workerId: 'whe', max: 1, stageTypes: [type] })).body.tasks;
    await t.a.post('/tasks/fail', { items: [{ taskId: d[0].id, leaseToken: d[0].leaseToken, error: { message: 'disk full', code: 'ENOSPC' } }] });
    const all = await waitFor(async () => got.filter((g) => g.body.jobId === job.id), (v) => v.length >= 4);
    expect(all.map((g) => g.event).sort()).toEqual(['job.failed', 'job.started', 'stage.started', 'task.failed']);
    for (const g of all) {
      expect(g.headers.authorization).toBe('Bearer receiver-token');
      expect(g.headers['x-team']).toBe('maps');
      expect(g.headers['content-type']).toBe('application/json');
    }
    expect(all.find((g) => g.event === 'task.failed')!.body).toMatchObject({ taskId: d[0].id, status: 'FAILED', error: { message: 'disk full', code: 'ENOSPC' } });
    expect(all.find((g) => g.event === 'job.started')!.body).toMatchObject({ status: 'IN_PROGRESS', job: { status: 'IN_PROGRESS' } });
    expect(all.find((g) => g.event === 'stage.started')!.body.stageId).toBe(job.stages[0].id);
  });

  it('refuses headers the delivery owns and values that would split the request', async () => {
    for (const headers of [{ 'X-Jobnik-Event': 'forged' }, { 'Content-Type': 'text/plain' }, { 'X-Ok': 'a\r\nX-Evil: 1' }, { 'bad name': 'x' }]) {
      const r = await t.a.post('/jobs', { name: 'bad-hook', webhooks: [{ url, headers }] });
      expect(r.status, JSON.stringify(headers)).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('refuses the hop-by-hop headers fetch will not send, naming the header', async () => {
    // Accepted, each made every delivery fail with "fetch failed".
    for (const name of ['Expect', 'Keep-Alive', 'Upgrade', 'Connection', 'Transfer-Encoding', 'Content-Length', 'TE', 'Trailer', 'Proxy-Connection']) {
      const r = await t.a.post('/jobs', { name: 'bad-hook', webhooks: [{ url, headers: { 'X-Fine': 'ok', [name]: 'x' } }] });
      expect(r.status, name).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
      expect(r.body.errors.map((e: { path: string }) => e.path), name).toEqual([`/body/webhooks/0/headers/${name}`]);
    }
  });

  it("logs why a delivery failed: the connection's error, not a bare \"fetch failed\"", async () => {
    const closed = await portOutsideEphemeralRange(); // nothing listens there
    const type = `whe-closed-${store}`;
    const job = (await t.a.post('/jobs', { name: 'hooked-closed', webhooks: [{ url: `http://127.0.0.1:${closed}/hook`, events: ['job.started'] }], stages: [{ type, tasks: [{}] }] })).body;
    await t.a.post('/dequeue', { workerId: 'whe', max: 1, stageTypes: [type] });
    const [d] = await waitFor(async () => (await t.a.get(`/jobs/${job.id}/webhook-deliveries`)).body.items, (v: any[]) => v[0]?.lastError != null);
    expect(d.lastStatus).toBeNull();
    expect(d.lastError).toBe(`fetch failed: connect ECONNREFUSED 127.0.0.1:${closed}`);
  });
});
