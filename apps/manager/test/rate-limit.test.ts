// Rate limits on task starts (GCRA rows in the database): counted by leases granted and refused in one burst, with
// the bucket's clock moved by a test hook instead of waiting; per stage type, per tenant, across two replicas.
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { api } from './api.js';
import { useManager } from './fixtures.js';
import { complete, createTasks, lease, leaseUntilRefused, metric, startReplica } from './flow-helpers.js';

const HOUR = 3_600_000;

describe.each(testStores())('rate limits on %s', (store) => {
  const f = useManager(store, { flow: { rateLimits: [{ stageType: 'from-config', limit: 3, periodMs: HOUR, burst: 3 }] } } as never);

  /** Test hook: the bucket as if `ms` more had passed (the rate's refill), without waiting for it. */
  const advance = (stageType: string, ms: number) => f.m.manager.db.query(`UPDATE rate_limits SET tat = tat - $2 * interval '1 millisecond' WHERE stage_type = $1`, [stageType, ms]);

  it('a burst gets exactly `burst` starts, then refusals until the rate refills', async () => {
    const put = await f.a.raw('PUT', '/rate-limits/rl-burst', { limit: 5, periodMs: HOUR, burst: 5 });
    expect([put.status, put.body.limit, put.body.burst, put.body.tenantId, put.body.source]).toEqual([200, 5, 5, null, 'api']);
    await createTasks(f.a, 't1', 'rl-burst', 30);
    const throttledBefore = await metric(f.a, 'jobnik_dequeue_throttled_total', 'reason="rate_limit"');
    expect(await lease(f.a, ['rl-burst'], 10)).toHaveLength(5);
    expect(await lease(f.a, ['rl-burst'], 10)).toHaveLength(0);
    expect(await metric(f.a, 'jobnik_dequeue_throttled_total', 'reason="rate_limit"')).toBeGreaterThan(throttledBefore);
    // Completing does not give starts back: a rate, not a concurrency cap.
    expect(await lease(f.a, ['rl-burst'], 10)).toHaveLength(0);
    // Two intervals (2 × 12 min) later: two more starts.
    await advance('rl-burst', (2 * HOUR) / 5);
    expect(await leaseUntilRefused(f.a, ['rl-burst'], 10)).toHaveLength(2);
    // A full period later: a full burst again, never more.
    await advance('rl-burst', 10 * HOUR);
    expect(await leaseUntilRefused(f.a, ['rl-burst'], 3)).toHaveLength(5);
    const queue = (await f.a.get('/queues?tenantId=t1')).body.items.find((q: any) => q.name === 'rl-burst');
    expect(queue.rateLimit).toEqual({ limit: 5, periodMs: HOUR, burst: 5 });
  });

  it('a long-poll held by a rate limit sleeps until its next start is due instead of spinning', async () => {
    await f.a.raw('PUT', '/rate-limits/rl-poll', { limit: 1, periodMs: HOUR, burst: 1 });
    await createTasks(f.a, 't1', 'rl-poll', 3);
    expect(await lease(f.a, ['rl-poll'], 5)).toHaveLength(1);
    const before = await metric(f.a, 'jobnik_dequeue_throttled_total', 'reason="rate_limit"');
    // The next start is an hour away: a poll of one second tries when it arrives and when its wait ends (a timer that
    // fires a hair early may add one), sleeping in between; one that retried at once counted hundreds of refusals.
    expect(await lease(f.a, ['rl-poll'], 5, { waitMs: 1_000 })).toHaveLength(0);
    const tries = (await metric(f.a, 'jobnik_dequeue_throttled_total', 'reason="rate_limit"')) - before;
    expect(tries).toBeGreaterThanOrEqual(2);
    expect(tries).toBeLessThanOrEqual(3);
  });

  it("a tenant's own limit holds while other tenants of the stage type run free", async () => {
    await f.a.raw('PUT', '/rate-limits/rl-tenant?tenantId=slow', { limit: 2, periodMs: HOUR, burst: 2 });
    await createTasks(f.a, 'slow', 'rl-tenant', 10);
    await createTasks(f.a, 'fast', 'rl-tenant', 10);
    const leased = await leaseUntilRefused(f.a, ['rl-tenant'], 6);
    expect(leased.filter((t) => t.data.tenantId === 'slow')).toHaveLength(2);
    expect(leased.filter((t) => t.data.tenantId === 'fast')).toHaveLength(10);
    const queues = (await f.a.get('/queues')).body.items.filter((q: any) => q.name === 'rl-tenant');
    expect(queues.map((q: any) => [q.tenantId, q.tenantRateLimit?.limit ?? null, q.rateLimit])).toEqual([
      ['fast', null, null],
      ['slow', 2, null],
    ]);
    const list = (await f.a.get('/rate-limits')).body.items.filter((l: any) => l.stageType === 'rl-tenant');
    expect(list.map((l: any) => [l.tenantId, l.limit])).toEqual([['slow', 2]]);
    expect((await f.a.del('/rate-limits/rl-tenant?tenantId=slow')).status).toBe(204);
    expect(await leaseUntilRefused(f.a, ['rl-tenant'], 6)).toHaveLength(8);
  });

  it('the stage-type limit and a tenant limit both apply; the default burst is 100 ms of the rate', async () => {
    const put = await f.a.raw('PUT', '/rate-limits/rl-both', { limit: 40, periodMs: HOUR });
    expect(put.body.burst).toBe(1);
    expect((await f.a.raw('PUT', '/rate-limits/rl-fast', { limit: 500 })).body.burst).toBe(50);
    await f.a.raw('PUT', '/rate-limits/rl-both', { limit: 4, periodMs: HOUR, burst: 4 });
    await f.a.raw('PUT', '/rate-limits/rl-both?tenantId=x', { limit: 1, periodMs: HOUR, burst: 1 });
    await createTasks(f.a, 'x', 'rl-both', 5);
    await createTasks(f.a, 'y', 'rl-both', 5);
    const leased = await leaseUntilRefused(f.a, ['rl-both'], 10);
    expect(leased).toHaveLength(4);
    expect(leased.filter((t) => t.data.tenantId === 'x')).toHaveLength(1);
    await complete(f.a, leased);
  });

  it("what the stage type's limit allows is shared equally by the tenants with work, in every batch", async () => {
    await f.a.raw('PUT', '/rate-limits/rl-share', { limit: 4, periodMs: HOUR, burst: 4 });
    await createTasks(f.a, 'p', 'rl-share', 12);
    await createTasks(f.a, 'q', 'rl-share', 12);
    for (let round = 0; round < 5; round++) {
      const leased = await lease(f.a, ['rl-share'], 10);
      expect([leased.filter((t) => t.data.tenantId === 'p').length, leased.filter((t) => t.data.tenantId === 'q').length]).toEqual([2, 2]);
      await complete(f.a, leased);
      await advance('rl-share', HOUR);
    }
  });

  it('a long-poll held back by the limit answers with a task once the next start is due, not at waitMs', async () => {
    await f.a.raw('PUT', '/rate-limits/rl-wake', { limit: 1, periodMs: 300, burst: 1 });
    await createTasks(f.a, 't1', 'rl-wake', 3);
    expect(await lease(f.a, ['rl-wake'], 5)).toHaveLength(1);
    // Nothing is allowed now; the next start is due within 300 ms. A 30 s long-poll gets it then, without a wake-up.
    // (Without the wake-up at the due time it would come back empty after 30 s, past the test's timeout.)
    expect(await lease(f.a, ['rl-wake'], 5, { waitMs: 30_000 })).toHaveLength(1);
  });

  it('a configured limit is applied at start and read-only over the API; bad limits are refused', async () => {
    await createTasks(f.a, 't1', 'from-config', 5);
    expect(await leaseUntilRefused(f.a, ['from-config'], 5)).toHaveLength(3);
    const put = await f.a.raw('PUT', '/rate-limits/from-config', { limit: 100 });
    expect([put.status, put.body.code]).toEqual([409, 'CONFIGURED_IN_FILE']);
    const bad = await f.a.raw('PUT', '/rate-limits/x', { limit: 0 });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const missing = await f.a.del('/rate-limits/never-set');
    expect([missing.status, missing.body.code]).toEqual([404, 'RATE_LIMIT_NOT_FOUND']);
  });
});

describe.runIf(testStores().includes('postgres'))('rate limits across two manager replicas', () => {
  const f = useManager('postgres');

  it('7 starts per hour: 8 workers on two replicas get 7 in all', async () => {
    const replica = await startReplica(f.m.databaseUrl!);
    try {
      const b = api(replica.url);
      await f.a.raw('PUT', '/rate-limits/rl-replicas', { limit: 7, periodMs: HOUR, burst: 7 });
      for (const t of ['r1', 'r2', 'r3']) await createTasks(f.a, t, 'rl-replicas', 20);
      const counts = await Promise.all(Array.from({ length: 8 }, async (_, w) => (await leaseUntilRefused(w % 2 ? b : f.a, ['rl-replicas'], 1 + (w % 3))).length));
      expect(counts.reduce((x, y) => x + y, 0)).toBe(7);
    } finally {
      await replica.close();
    }
  });
});
