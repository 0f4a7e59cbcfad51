// Webhook deliveries run as a pipeline with a cap per receiver, over real HTTP on both stores: a receiver that
// accepts connections and never answers holds only its own slots, so another receiver's events (retries included)
// arrive while its deliveries are still open; and a shutdown gives the deliveries in flight back instead of waiting
// out the receiver's timeout.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { waitFor } from './api.js';
import { useManager } from './fixtures.js';

const PER_ORIGIN = 3;
const DEAD_JOBS = 12;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}/hook`)));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

describe.each(testStores())('webhook delivery pipeline on %s', (store) => {
  // A timeout far beyond the test: a delivery of the dead receiver that ended did so because it was cut short.
  const t = useManager(store, { webhooks: { pollMs: 50, retryBaseMs: 50, timeoutMs: 20_000, perOriginConcurrency: PER_ORIGIN } });

  /** Accepts each request and never answers; counts the requests open at once. */
  const dead = { open: 0, maxOpen: 0, received: 0, ended: 0 };
  const deadServer = createServer((_req, res) => {
    dead.received++;
    dead.open++;
    dead.maxOpen = Math.max(dead.maxOpen, dead.open);
    res.on('close', () => {
      dead.open--;
      dead.ended++;
    });
  });
  /** Answers 500 twice, then 204. */
  const healthy: { answered: number; event: string }[] = [];
  const healthyServer = createServer((req, res) => {
    req.resume().on('end', () => {
      const answered = healthy.length < 2 ? 500 : 204;
      healthy.push({ answered, event: String(req.headers['x-jobnik-event']) });
      res.writeHead(answered).end();
    });
  });
  let deadUrl = '';
  let healthyUrl = '';
  beforeAll(async () => {
    deadUrl = await listen(deadServer);
    healthyUrl = await listen(healthyServer);
  });
  afterAll(async () => {
    await close(deadServer);
    await close(healthyServer);
  });

  /** Creates `n` jobs subscribed to `url` for job.started and leases their tasks: one event each. */
  const startJobs = async (n: number, url: string, type: string) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await t.a.post('/jobs', { name: 'hooked', webhooks: [{ url, events: ['job.started'] }], stages: [{ type, tasks: [{}] }] })).body.id);
    expect((await t.a.post('/dequeue', { workerId: 'w', max: n, stageTypes: [type] })).body.tasks).toHaveLength(n);
    return ids;
  };
  let deadJobs: string[] = [];

  it("delivers another receiver's event, retries included, while a receiver that never answers holds its own slots", async () => {
    deadJobs = await startJobs(DEAD_JOBS, deadUrl, `dead-${store}`);
    await waitFor(async () => dead.open, (n) => n >= PER_ORIGIN);
    // The dead receiver's other events are due before this one, and stay so.
    const [healthyJob] = await startJobs(1, healthyUrl, `healthy-${store}`);
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
