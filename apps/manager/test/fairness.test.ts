// Per-tenant fairness inside a stage type: a small tenant's tasks start in the next batch behind another tenant's
// backlog of the same priority, weights set the shares, and a tenant alone gets whole batches.
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { useManager } from './fixtures.js';
import { createTasks, lease } from './flow-helpers.js';

describe.each(testStores())('tenant fairness on %s', (store) => {
  const f = useManager(store);

  it("a small tenant's tasks are among the first leases behind a big backlog of another tenant", async () => {
    for (let i = 0; i < 4; i++) await createTasks(f.a, 'big', 'fair-backlog', 500);
    await createTasks(f.a, 'small', 'fair-backlog', 3);
    const first = await lease(f.a, ['fair-backlog'], 10);
    expect(first.filter((t) => t.data.tenantId === 'small')).toHaveLength(3);
    // The small tenant's unused share goes to the big one: the batch is full.
    expect(first).toHaveLength(10);
    // The big tenant's own tasks still come in their order.
    const big = first.filter((t) => t.data.tenantId === 'big').map((t) => t.data.i);
    expect(big).toEqual([...big].sort((x, y) => x - y));
    expect(big).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('a share left unused is topped up by weight from the tenants that have more work', async () => {
    expect((await f.a.patch('/queues/fair-topup?tenantId=heavy', { weight: 2 })).body.weight).toBe(2);
    await createTasks(f.a, 'heavy', 'fair-topup', 100);
    await createTasks(f.a, 'plain', 'fair-topup', 100);
    await createTasks(f.a, 'tiny', 'fair-topup', 1);
    // Shares of 16 by weight 2:1:1 are 8/4/4; tiny uses 1, and its 3 unused go 2:1 to heavy and plain.
    const batch = await lease(f.a, ['fair-topup'], 16);
    const of = (tenant: string) => batch.filter((t) => t.data.tenantId === tenant).map((t) => t.data.i);
    expect(of('tiny')).toEqual([0]);
    expect(of('heavy')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(of('plain')).toEqual([0, 1, 2, 3, 4]);
    expect(batch).toHaveLength(16);
    // The next batch continues each tenant where the last one stopped: nothing skipped, nothing twice.
    const next = await lease(f.a, ['fair-topup'], 12);
    expect(next.filter((t) => t.data.tenantId === 'heavy').map((t) => t.data.i)).toEqual([10, 11, 12, 13, 14, 15, 16, 17]);
    expect(next.filter((t) => t.data.tenantId === 'plain').map((t) => t.data.i)).toEqual([5, 6, 7, 8]);
  });

  it('a tenant alone gets whole batches', async () => {
    await createTasks(f.a, 'alone', 'fair-alone', 120);
    for (let i = 0; i < 3; i++) expect(await lease(f.a, ['fair-alone'], 40)).toHaveLength(40);
  });

  it('weights share a batch: weight 3 gets three leases for each one of weight 1', async () => {
    expect((await f.a.patch('/queues/fair-weighted?tenantId=heavy', { weight: 3 })).body.weight).toBe(3);
    await createTasks(f.a, 'heavy', 'fair-weighted', 100);
    await createTasks(f.a, 'light', 'fair-weighted', 100);
    for (let round = 0; round < 3; round++) {
      const batch = await lease(f.a, ['fair-weighted'], 8);
      expect(batch.filter((t) => t.data.tenantId === 'heavy')).toHaveLength(6);
      expect(batch.filter((t) => t.data.tenantId === 'light')).toHaveLength(2);
    }
    const queues = (await f.a.get('/queues')).body.items.filter((q: any) => q.name === 'fair-weighted');
    expect(queues.map((q: any) => [q.tenantId, q.weight])).toEqual([
      ['heavy', 3],
      ['light', 1],
    ]);
  });

  it('takes weights that are not whole numbers, as sent, and shares by them: 1.5 against 0.5 is three to one', async () => {
    expect((await f.a.patch('/queues/fair-fractional?tenantId=heavy', { weight: 1.5 })).body.weight).toBe(1.5);
    expect((await f.a.patch('/queues/fair-fractional?tenantId=light', { weight: 0.5 })).body.weight).toBe(0.5);
    // The smallest weight the API takes comes back exactly (a 4-byte real read 0.009999999776482582).
    expect((await f.a.patch('/queues/fair-fractional?tenantId=rare', { weight: 0.01 })).body.weight).toBe(0.01);
    await createTasks(f.a, 'heavy', 'fair-fractional', 100);
    await createTasks(f.a, 'light', 'fair-fractional', 100);
    for (let round = 0; round < 3; round++) {
      const batch = await lease(f.a, ['fair-fractional'], 8);
      expect(batch.filter((t) => t.data.tenantId === 'heavy')).toHaveLength(6);
      expect(batch.filter((t) => t.data.tenantId === 'light')).toHaveLength(2);
    }
    const queues = (await f.a.get('/queues?stageType=fair-fractional')).body.items;
    expect(queues.map((q: any) => [q.tenantId, q.weight])).toEqual([
      ['heavy', 1.5],
      ['light', 0.5],
      ['rare', 0.01],
    ]);
  });

  it('strict priority still comes first: a higher priority of any tenant before a fair share of a lower one', async () => {
    await createTasks(f.a, 'a', 'fair-prio', 20, 'LOW');
    await createTasks(f.a, 'b', 'fair-prio', 4, 'HIGH');
    const batch = await lease(f.a, ['fair-prio'], 6);
    expect(batch.map((t) => t.priority)).toEqual(['HIGH', 'HIGH', 'HIGH', 'HIGH', 'LOW', 'LOW']);
  });

  it('ten tenants with one task each behind a backlog all start in one batch', async () => {
    await createTasks(f.a, 'backlog', 'fair-many', 1000);
    for (let i = 0; i < 10; i++) await createTasks(f.a, `small-${i}`, 'fair-many', 1);
    const batch = await lease(f.a, ['fair-many'], 50);
    expect(new Set(batch.map((t) => t.data.tenantId)).size).toBe(11);
    expect(batch).toHaveLength(50);
  });
});
