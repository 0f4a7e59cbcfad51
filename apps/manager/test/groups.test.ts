// Job groups (queue classes): a capacity shared by the group's stage types across tenants and manager replicas,
// declared in configuration (the design's example: compute 1, maintenance 5, download 10) or over the API.
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { api } from './api.js';
import { useManager } from './fixtures.js';
import { complete, createTasks, lease, leaseUntilRefused, metric, startReplica } from './flow-helpers.js';

/** The documented example (README "Flow control"). */
const GROUPS = {
  compute: { maxInFlight: 1, stageTypes: ['tile-render'] },
  maintenance: { maxInFlight: 5, stageTypes: ['reindex', 'vacuum-layer'] },
  download: { maxInFlight: 10, stageTypes: ['fetch-tiles', 'fetch-dem'] },
};

describe.each(testStores())('job groups on %s', (store) => {
  const f = useManager(store, { flow: { groups: GROUPS } } as never);

  it('lists the configured groups, read-only over the API', async () => {
    const { body } = await f.a.get('/queue-groups');
    expect(body.items.map((g: any) => [g.name, g.maxInFlight, g.stageTypes, g.source])).toEqual([
      ['compute', 1, ['tile-render'], 'config'],
      ['download', 10, ['fetch-dem', 'fetch-tiles'], 'config'],
      ['maintenance', 5, ['reindex', 'vacuum-layer'], 'config'],
    ]);
    const put = await f.a.raw('PUT', '/queue-groups/compute', { maxInFlight: 3, stageTypes: ['tile-render'] });
    expect([put.status, put.body.code]).toEqual([409, 'CONFIGURED_IN_FILE']);
    const take = await f.a.raw('PUT', '/queue-groups/mine', { maxInFlight: 3, stageTypes: ['tile-render'] });
    expect([take.status, take.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('compute 1: one task in flight across tenants, the next once it completes', async () => {
    await createTasks(f.a, 't1', 'tile-render', 3);
    await createTasks(f.a, 't2', 'tile-render', 3);
    const first = await leaseUntilRefused(f.a, ['tile-render'], 5);
    expect(first).toHaveLength(1);
    expect(await metric(f.a, 'jobnik_dequeue_throttled_total', 'reason="capacity"')).toBeGreaterThan(0);
    await complete(f.a, first);
    const next = await leaseUntilRefused(f.a, ['tile-render'], 5);
    expect(next).toHaveLength(1);
    await complete(f.a, next);
  });

  it('maintenance 5: shared by its two stage types and every tenant', async () => {
    for (const t of ['t1', 't2', 't3']) {
      await createTasks(f.a, t, 'reindex', 4);
      await createTasks(f.a, t, 'vacuum-layer', 4);
    }
    const leased = await leaseUntilRefused(f.a, ['reindex', 'vacuum-layer'], 2);
    expect(leased).toHaveLength(5);
    // Another worker on one stage type only, with its own tenant: still refused, the group is full.
    expect(await lease(f.a, ['vacuum-layer'], 10, { tenantId: 't3' })).toHaveLength(0);
    const groups = (await f.a.get('/queue-groups')).body.items;
    expect(groups.find((g: any) => g.name === 'maintenance').inFlight).toBe(5);
    // Two complete: exactly two more start.
    await complete(f.a, leased.slice(0, 2));
    expect(await leaseUntilRefused(f.a, ['reindex', 'vacuum-layer'], 10)).toHaveLength(2);
  });

  it('download 10 holds while a stage type outside every group runs unlimited in the same dequeue', async () => {
    await createTasks(f.a, 't1', 'fetch-tiles', 8);
    await createTasks(f.a, 't2', 'fetch-dem', 8);
    await createTasks(f.a, 't1', 'ungrouped', 30);
    const leased = await leaseUntilRefused(f.a, ['fetch-tiles', 'fetch-dem', 'ungrouped'], 7);
    expect(leased.filter((t) => t.stageType !== 'ungrouped')).toHaveLength(10);
    expect(leased.filter((t) => t.stageType === 'ungrouped')).toHaveLength(30);
    const queues = (await f.a.get('/queues')).body.items;
    expect(queues.find((q: any) => q.name === 'fetch-dem').group).toBe('download');
    expect(queues.find((q: any) => q.name === 'ungrouped').group).toBeNull();
  });

  it('a long-poll held by a full group rechecks now and then instead of spinning, and leases once there is room', async () => {
    await f.a.raw('PUT', '/queue-groups/poll-full', { maxInFlight: 1, stageTypes: ['poll-full'] });
    await createTasks(f.a, 't1', 'poll-full', 2);
    const held = await leaseUntilRefused(f.a, ['poll-full'], 5);
    expect(held).toHaveLength(1);
    const before = await metric(f.a, 'jobnik_dequeue_throttled_total', 'reason="capacity"');
    // One second of waiting: each try the group holds back counts once; rechecks are 200 ms apart (a slow machine
    // makes fewer), so about six — a poll that retried at once counted hundreds.
    expect(await lease(f.a, ['poll-full'], 5, { waitMs: 1_000 })).toHaveLength(0);
    const tries = (await metric(f.a, 'jobnik_dequeue_throttled_total', 'reason="capacity"')) - before;
    expect(tries).toBeGreaterThanOrEqual(1);
    expect(tries).toBeLessThanOrEqual(8);
    await complete(f.a, held);
    expect(await lease(f.a, ['poll-full'], 5, { waitMs: 1_000 })).toHaveLength(1);
  });

  it('a group set over the API caps its stage type, and deleting it lifts the cap', async () => {
    const put = await f.a.raw('PUT', '/queue-groups/api-pair', { maxInFlight: 2, stageTypes: ['api-a', 'api-b'] });
    expect([put.status, put.body.source, put.body.maxInFlight]).toEqual([200, 'api', 2]);
    await createTasks(f.a, 't1', 'api-a', 5);
    await createTasks(f.a, 't1', 'api-b', 5);
    expect(await leaseUntilRefused(f.a, ['api-a', 'api-b'], 10)).toHaveLength(2);
    // Raised to 4: two more.
    await f.a.raw('PUT', '/queue-groups/api-pair', { maxInFlight: 4, stageTypes: ['api-a', 'api-b'] });
    expect(await leaseUntilRefused(f.a, ['api-a', 'api-b'], 10)).toHaveLength(2);
    expect((await f.a.del('/queue-groups/api-pair')).status).toBe(204);
    expect(await leaseUntilRefused(f.a, ['api-a', 'api-b'], 10)).toHaveLength(6);
    const gone = await f.a.del('/queue-groups/api-pair');
    expect([gone.status, gone.body.code]).toEqual([404, 'QUEUE_GROUP_NOT_FOUND']);
    const bad = await f.a.raw('PUT', '/queue-groups/bad', { maxInFlight: 0 });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});

describe.runIf(testStores().includes('postgres'))('job groups across two manager replicas', () => {
  const f = useManager('postgres', { flow: { groups: GROUPS } } as never);

  it('maintenance 5 holds when 8 workers lease at once through two replicas', async () => {
    const replica = await startReplica(f.m.databaseUrl!, { groups: GROUPS });
    try {
      const b = api(replica.url);
      for (const t of ['r1', 'r2', 'r3', 'r4']) {
        await createTasks(f.a, t, 'reindex', 10);
        await createTasks(f.a, t, 'vacuum-layer', 10);
      }
      const counts = await Promise.all(
        Array.from({ length: 8 }, async (_, w) => (await leaseUntilRefused(w % 2 ? b : f.a, w % 3 ? ['reindex', 'vacuum-layer'] : ['vacuum-layer', 'reindex'], 1 + (w % 3))).length),
      );
      expect(counts.reduce((x, y) => x + y, 0)).toBe(5);
      expect((await b.get('/queue-groups')).body.items.find((g: any) => g.name === 'maintenance').inFlight).toBe(5);
    } finally {
      await replica.close();
    }
  });
});
