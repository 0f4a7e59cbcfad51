// A long scheduler tick makes the other schedules late, not missed: their fire times that pass while one schedule's
// jobs are being created still fire, whatever their catch-up policy. PostgreSQL only: a second connection holds the
// slow schedule's job back (an uncommitted job with the idempotency key of its fire), which PGlite's one connection can't.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestManager, testStores, type TestManager } from '../src/testing.js';
import { api, type Api, waitFor } from './api.js';
import { sideConnections, type SideConnections } from './side-connections.js';

const fireTimesOf = async (a: Api, name: string): Promise<number[]> =>
  ((await a.get(`/jobs?name=${name}&limit=100&sort=createdAt`)).body.items as { idempotencyKey: string }[])
    .map((j) => Date.parse(j.idempotencyKey.split(':').slice(2).join(':')))
    .sort((x, y) => x - y);

describe.runIf(testStores().includes('postgres'))('a scheduler tick held up by one schedule', () => {
  let m: TestManager;
  let a: Api;
  let side: pg.Client;
  let observer: pg.Client;
  let connections: SideConnections | undefined;
  beforeAll(async () => {
    m = await startTestManager({ store: 'postgres', config: { scheduler: { tickMs: 100 } } });
    a = api(m.url);
    connections = await sideConnections(m.databaseUrl!);
    ({ side, observer } = connections);
  });
  afterAll(async () => {
    await connections?.end();
    await m?.close();
  });

  it("fires every second of a 'none' schedule that came due while another schedule's job was being created", async () => {
    const slow = (await a.post('/schedules', { name: 'slow', cron: '* * * * * *', catchUp: 'none', enabled: false, jobTemplate: { name: 'slow' } })).body;
    // The slow schedule's next ten fires wait on these uncommitted jobs (the unique idempotency key) until the rollback.
    const from = Math.ceil(Date.now() / 1000) * 1000;
    await side.query('BEGIN');
    for (let i = 0; i < 10; i++) {
      await side.query(`INSERT INTO jobs (tenant_id, name, priority, status, idempotency_key) VALUES ('default', 'blocker', 2, 'PENDING', $1)`, [
        `schedule:${slow.id}:${new Date(from + i * 1000).toISOString()}`,
      ]);
    }
    await a.patch(`/schedules/${slow.id}`, { enabled: true });
    const steady = (await a.post('/schedules', { name: 'steady', cron: '* * * * * *', catchUp: 'none', jobTemplate: { name: 'steady' } })).body;
    // The tick is stuck on the slow schedule's insert …
    await waitFor(
      async () => (await observer.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO jobs%'`)).rows[0].n,
      (n) => n === 1,
    );
    const stuckAt = Date.now();
    // … while three of the steady schedule's fire times pass.
    await waitFor(async () => Date.now(), (now) => now > stuckAt + 3_000, { timeoutMs: 5_000, everyMs: 100 });
    await side.query('ROLLBACK');
    const released = Date.now();
    await waitFor(async () => (await fireTimesOf(a, 'steady')).at(-1) ?? 0, (last) => last >= released, { timeoutMs: 10_000, everyMs: 100 });
    await a.patch(`/schedules/${steady.id}`, { enabled: false });
    await a.patch(`/schedules/${slow.id}`, { enabled: false });
    const fires = await fireTimesOf(a, 'steady');
    const expected = Array.from({ length: (fires.at(-1)! - fires[0]!) / 1000 + 1 }, (_, i) => fires[0]! + i * 1000);
    // Every second from when the tick got stuck (or the one after, had the steady schedule come due then) past the release.
    expect(fires[0]).toBeLessThanOrEqual(stuckAt + 1000);
    expect(fires.at(-1)).toBeGreaterThanOrEqual(released);
    expect(fires).toEqual(expected);
    expect(await fireTimesOf(a, 'slow')).toContain(from + 1000);
  });
});
