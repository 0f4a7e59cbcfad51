// Webhook deliveries run as a pipeline with a cap per endpoint (a tenant's URL) and per tenant (half the slots), over
// real HTTP on both stores: an endpoint that accepts connections and never answers holds only its own slots, so the
// same tenant's events to another route of the same host (retries included) arrive while its deliveries are still
// open; one tenant's many dead endpoints leave another tenant its slots; and a shutdown gives the deliveries in flight
// back instead of waiting out the receiver's timeout.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { waitFor } from './api.js';
import { useManager } from './fixtures.js';

const PER_ORIGIN = 3;
const DEAD_JOBS = 12;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

describe.each(testStores())('webhook delivery pipeline on %s', (store) => {
  // A timeout far beyond the test: a delivery of the dead receiver that ended did so because it was cut short.
  const t = useManager(store, { webhooks: { pollMs: 50, retryBaseMs: 50, timeoutMs: 20_000, perEndpointConcurrency: PER_ORIGIN } });

  /** One host for both tenants: /dead accepts each request and never answers (its requests open at once counted), /ok answers 500 twice, then 204. */
  const dead = { open: 0, maxOpen: 0, received: 0, ended: 0 };
  const healthy: { answered: number; event: string }[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/dead') {
      dead.received++;
      dead.open++;
      dead.maxOpen = Math.max(dead.maxOpen, dead.open);
      res.on('close', () => {
        dead.open--;
        dead.ended++;
      });
      return;
    }
    req.resume().on('end', () => {
      const answered = healthy.length < 2 ? 500 : 204;
      healthy.push({ answered, event: String(req.headers['x-jobnik-event']) });
      res.writeHead(answered).end();
    });
  });
  let deadUrl = '';
  let healthyUrl = '';
  beforeAll(async () => {
    const base = await listen(server);
    deadUrl = `${base}/dead`;
    healthyUrl = `${base}/ok`;
  });
  afterAll(() => close(server));

  /** Creates `n` jobs of `tenantId` subscribed to `url` for job.started and leases their tasks: one event each. */
  const startJobs = async (n: number, tenantId: string, url: string, type: string) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await t.a.post('/jobs', { name: 'hooked', tenantId, webhooks: [{ url, events: ['job.started'] }], stages: [{ type, tasks: [{}] }] })).body.id);
    expect((await t.a.post('/dequeue', { workerId: 'w', max: n, tenantId, stageTypes: [type] })).body.tasks).toHaveLength(n);
    return ids;
  };
  let deadJobs: string[] = [];

  it("delivers another endpoint's event on the same host, retries included, while an endpoint that never answers holds its own slots", async () => {
    deadJobs = await startJobs(DEAD_JOBS, 'tenant-dead', deadUrl, `dead-${store}`);
    await waitFor(async () => dead.open, (n) => n >= PER_ORIGIN);
    // The dead receiver's other events are due before this one, and stay so.
    const [healthyJob] = await startJobs(1, 'tenant-dead', healthyUrl, `healthy-${store}`);
    await waitFor(async () => healthy.filter((h) => h.answered === 204), (v) => v.length === 1);
    expect(healthy.map((h) => h.answered)).toEqual([500, 500, 204]);
    // None of the dead receiver's deliveries has ended (timed out), and it never had more than its cap open.
    expect(dead).toEqual({ open: PER_ORIGIN, maxOpen: PER_ORIGIN, received: PER_ORIGIN, ended: 0 });
    const log = await waitFor(async () => (await t.a.get(`/jobs/${healthyJob}/webhook-deliveries`)).body.items, (v: any[]) => v[0]?.deliveredAt != null);
    expect(log).toMatchObject([{ event: 'job.started', attempts: 3, lastStatus: 204 }]);
    const deadLogs = await Promise.all(deadJobs.map(async (id) => (await t.a.get(`/jobs/${id}/webhook-deliveries`)).body.items[0]));
    expect(deadLogs.filter((d) => d.attempts === 1)).toHaveLength(PER_ORIGIN);
    expect(deadLogs.filter((d) => d.attempts === 0)).toHaveLength(DEAD_JOBS - PER_ORIGIN);
    expect(deadLogs.every((d) => d.deliveredAt === null && d.failedAt === null && d.lastError === null)).toBe(true);
  });

  it('stops without waiting out the timeout, giving the deliveries in flight back', async () => {
    // Follows the test above: the dead receiver holds PER_ORIGIN deliveries open.
    expect(dead.open).toBe(PER_ORIGIN);
    await t.m.manager.webhooks.stop();
    await waitFor(async () => dead.ended, (n) => n === PER_ORIGIN);
    const rows = await t.m.manager.db.query<{ attempts: number; due: boolean; settled: boolean }>(
      `SELECT attempts, next_attempt_at <= now() AS due, delivered_at IS NOT NULL OR failed_at IS NOT NULL AS settled
       FROM webhook_events WHERE job_id = ANY($1::uuid[])`,
      [deadJobs],
    );
    // Every event is still there, due at once, no attempt counted: the next manager delivers them.
    expect(rows).toHaveLength(DEAD_JOBS);
    expect(rows.every((r) => r.attempts === 0 && r.due && !r.settled)).toBe(true);
  });
});

describe.each(testStores())('webhook slots per tenant on %s', (store) => {
  // 4 slots: at most 2 for one tenant, whatever its endpoints.
  const t = useManager(store, { webhooks: { pollMs: 50, retryBaseMs: 50, timeoutMs: 20_000, concurrency: 4, perEndpointConcurrency: 4 } });
  let open = 0;
  let maxOpen = 0;
  const delivered: string[] = [];
  const server = createServer((req, res) => {
    if (req.url!.startsWith('/dead/')) {
      open++;
      maxOpen = Math.max(maxOpen, open);
      res.on('close', () => open--);
      return;
    }
    req.resume().on('end', () => {
      delivered.push(req.url!);
      res.writeHead(204).end();
    });
  });
  let base = '';
  beforeAll(async () => {
    base = await listen(server);
  });
  afterAll(async () => {
    await t.m.manager.webhooks.stop();
    await close(server);
  });

  it("leaves another tenant its slots while one tenant's many endpoints never answer", async () => {
    const job = async (tenantId: string, url: string) =>
      (await t.a.post('/jobs', { name: 'hooked', tenantId, webhooks: [{ url, events: ['job.aborted'] }], stages: [{ type: `slots-${store}`, tasks: [{}] }] })).body.id as string;
    for (let i = 0; i < 6; i++) await t.a.post(`/jobs/${await job('tenant-many', `${base}/dead/${i}`)}/cancel`);
    await waitFor(async () => open, (n) => n >= 2);
    await t.a.post(`/jobs/${await job('tenant-other', `${base}/ok`)}/cancel`);
    await waitFor(async () => delivered, (d) => d.includes('/ok'));
    // The tenant with six dead endpoints never had more than its half of the four slots.
    expect([open, maxOpen]).toEqual([2, 2]);
  });
});
