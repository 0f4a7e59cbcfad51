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

  it.each([
    ['weight 3 gets three leases for each one of weight 1', 'fair-weighted', 3, 1],
    ['weights that are not whole numbers, as sent: 1.5 against 0.5 is three to one', 'fair-fractional', 1.5, 0.5],
  ])('weights share a batch: %s', async (_, type, heavy, light) => {
    expect((await f.a.patch(`/queues/${type}?tenantId=heavy`, { weight: heavy })).body.weight).toBe(heavy);
    expect((await f.a.patch(`/queues/${type}?tenantId=light`, { weight: light })).body.weight).toBe(light);
    await createTasks(f.a, 'heavy', type, 100);
    await createTasks(f.a, 'light', type, 100);
    for (let round = 0; round < 3; round++) {
      const batch = await lease(f.a, [type], 8);
      expect(batch.filter((t) => t.data.tenantId === 'heavy')).toHaveLength(6);
      expect(batch.filter((t) => t.data.tenantId === 'light')).toHaveLength(2);
    }
    const queues = (await f.a.get(`/queues?stageType=${type}`)).body.items;
    expect(queues.map((q: any) => [q.tenantId, q.weight])).toEqual([
      ['heavy', heavy],
      ['light', light],
    ]);
  });

  it('keeps the smallest weight exactly as sent (a 4-byte real read 0.01 back as 0.009999999776482582)', async () => {
    expect((await f.a.patch('/queues/fair-rare?tenantId=rare', { weight: 0.01 })).body.weight).toBe(0.01);
    expect((await f.a.get('/queues?stageType=fair-rare')).body.items.map((q: any) => q.weight)).toEqual([0.01]);
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
