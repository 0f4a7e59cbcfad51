// Quiet-only dequeues (DequeueRequest.quietOnly, the SDK's quietSlots): leases only from queues — (tenant, stage type)
// — with ready tasks and none in progress, so a slot kept for them starts a tenant with nothing running at once while
// the other slots are busy with another tenant's backlog; and a parked quiet poll is woken by such a tenant's work.
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { waitFor } from './api.js';
import { useManager } from './fixtures.js';
import { complete, createTasks, lease } from './flow-helpers.js';

describe.each(testStores())('quiet-only dequeues on %s', (store) => {
  const f = useManager(store);

  it('skip a tenant with a task in progress and take one with none', async () => {
    await createTasks(f.a, 'busy', 'quiet-skip', 50);
    // Nothing in progress yet: the busy tenant is quiet too, and a quiet poll takes its tasks like any dequeue.
    const first = await lease(f.a, ['quiet-skip'], 2, { quietOnly: true });
    expect(first.map((t) => t.data)).toEqual([
      { tenantId: 'busy', i: 0 },
      { tenantId: 'busy', i: 1 },
    ]);
    // Now it has tasks in progress: a quiet poll leaves its 48 ready tasks alone…
    expect(await lease(f.a, ['quiet-skip'], 5, { quietOnly: true })).toEqual([]);
    // …and takes the tenant that has nothing running, up to what it asked for.
    await createTasks(f.a, 'newcomer', 'quiet-skip', 3);
    const quiet = await lease(f.a, ['quiet-skip'], 5, { quietOnly: true });
    expect(quiet.map((t) => t.data)).toEqual([0, 1, 2].map((i) => ({ tenantId: 'newcomer', i })));
    // A plain dequeue still serves the busy tenant.
    expect((await lease(f.a, ['quiet-skip'], 5)).map((t) => t.data.tenantId)).toEqual(Array(5).fill('busy'));
    // Once its tasks are done, the newcomer is quiet again.
    await createTasks(f.a, 'newcomer', 'quiet-skip', 1);
    expect(await lease(f.a, ['quiet-skip'], 5, { quietOnly: true })).toEqual([]);
    await complete(f.a, quiet);
    expect((await lease(f.a, ['quiet-skip'], 5, { quietOnly: true })).map((t) => t.data)).toEqual([{ tenantId: 'newcomer', i: 0 }]);
  });

  it('on /queues/{stageType}/dequeue too, and only a boolean', async () => {
    await createTasks(f.a, 'busy', 'quiet-path', 4);
    expect((await f.a.post('/queues/quiet-path/dequeue', { workerId: 'w', max: 1 })).body.tasks).toHaveLength(1);
    expect((await f.a.post('/queues/quiet-path/dequeue', { workerId: 'w', max: 3, quietOnly: true })).body.tasks).toEqual([]);
    const bad = await f.a.post('/dequeue', { workerId: 'w', stageTypes: ['quiet-path'], quietOnly: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('/body/quietOnly');
  });

  it('a parked quiet poll is not answered with a busy tenant’s work, and wakes for a quiet one’s', async () => {
    await createTasks(f.a, 'busy', 'quiet-park', 20);
    await lease(f.a, ['quiet-park'], 1);
    const parked = f.a.post('/dequeue', { workerId: 'quiet', stageTypes: ['quiet-park'], max: 1, waitMs: 30_000, quietOnly: true });
    // The poll is parked (the gauge counts it) rather than answered with the busy tenant's ready tasks.
    await waitFor(() => metricValue(f, 'jobnik_long_polls_waiting'), (n) => n >= 1);
    await createTasks(f.a, 'busy', 'quiet-park', 5);
    await createTasks(f.a, 'newcomer', 'quiet-park', 1);
    const res = await parked;
    expect(res.status).toBe(200);
    expect(res.body.tasks.map((t: { data: unknown }) => t.data)).toEqual([{ tenantId: 'newcomer', i: 0 }]);
  });

  it('a parked quiet poll of one tenant does not take the wake-up another tenant’s work needs', async () => {
    await createTasks(f.a, 'busy', 'quiet-scoped', 20);
    await lease(f.a, ['quiet-scoped'], 1);
    const base = await metricValue(f, 'jobnik_long_polls_waiting');
    // A worker of tenant x parks first (the longest parked), then one serving every tenant.
    const ofX = f.a.post('/dequeue', { workerId: 'quiet-x', stageTypes: ['quiet-scoped'], tenantId: 'x', max: 1, waitMs: 30_000, quietOnly: true });
    await waitFor(() => metricValue(f, 'jobnik_long_polls_waiting'), (n) => n >= base + 1);
    const ofAll = f.a.post('/dequeue', { workerId: 'quiet-all', stageTypes: ['quiet-scoped'], max: 1, waitMs: 30_000, quietOnly: true });
    await waitFor(() => metricValue(f, 'jobnik_long_polls_waiting'), (n) => n >= base + 2);
    await createTasks(f.a, 'y', 'quiet-scoped', 1);
    expect((await ofAll).body.tasks.map((t: { data: unknown }) => t.data)).toEqual([{ tenantId: 'y', i: 0 }]);
    await createTasks(f.a, 'x', 'quiet-scoped', 1);
    expect((await ofX).body.tasks.map((t: { data: unknown }) => t.data)).toEqual([{ tenantId: 'x', i: 0 }]);
  });
});

async function metricValue(f: ReturnType<typeof useManager>, name: string): Promise<number> {
  const text = (await f.a.get<string>('/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : 0;
}
