// Priority aging (per queue, off by default): a waiting task rises one priority level per agingMs, so an old
// low-priority task eventually beats newer high-priority ones. Its wait is set by a test hook (its ready time moved
// into the past), not by sleeping.
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { useManager } from './fixtures.js';
import { createTasks, lease } from './flow-helpers.js';

const MINUTE = 60_000;

describe.each(testStores())('priority aging on %s', (store) => {
  const f = useManager(store);

  /** Test hook: the stage type's tasks of this priority became ready `ms` earlier. */
  const backdate = (stageType: string, priority: number, ms: number) =>
    f.m.manager.db.query(
      `UPDATE tasks SET run_after = run_after - $3 * interval '1 millisecond', created_at = created_at - $3 * interval '1 millisecond'
       WHERE queue_id IN (SELECT id FROM queues WHERE name = $1) AND priority = $2 AND status = 'PENDING'`,
      [stageType, priority, ms],
    );

  it('off by default: strict priority, however long a low-priority task has waited', async () => {
    await createTasks(f.a, 't', 'age-off', 1, 'VERY_LOW');
    await backdate('age-off', 4, 24 * 60 * MINUTE);
    await createTasks(f.a, 't', 'age-off', 3, 'VERY_HIGH');
    const q = (await f.a.get('/queues?tenantId=t')).body.items.find((x: any) => x.name === 'age-off');
    expect(q.agingMs).toBeNull();
    expect((await lease(f.a, ['age-off'], 4)).map((t) => t.priority)).toEqual(['VERY_HIGH', 'VERY_HIGH', 'VERY_HIGH', 'VERY_LOW']);
  });

  it('an old VERY_LOW task beats newer VERY_HIGH ones once it has waited 4 × agingMs', async () => {
    expect((await f.a.patch('/queues/age-on?tenantId=t', { agingMs: MINUTE })).body.agingMs).toBe(MINUTE);
    await createTasks(f.a, 't', 'age-on', 1, 'VERY_LOW');
    await backdate('age-on', 4, 5 * MINUTE);
    await createTasks(f.a, 't', 'age-on', 3, 'VERY_HIGH');
    const first = await lease(f.a, ['age-on'], 1);
    expect(first.map((t) => t.priority)).toEqual(['VERY_LOW']);
  });

  it('a partly aged task climbs past lower levels but not yet past higher ones', async () => {
    await f.a.patch('/queues/age-part?tenantId=t', { agingMs: MINUTE });
    await createTasks(f.a, 't', 'age-part', 1, 'VERY_LOW'); // waits 2 minutes: counts as MEDIUM, and older than the MEDIUM ones
    await backdate('age-part', 4, 2 * MINUTE + 1000);
    await createTasks(f.a, 't', 'age-part', 1, 'HIGH');
    await createTasks(f.a, 't', 'age-part', 1, 'MEDIUM');
    await createTasks(f.a, 't', 'age-part', 1, 'LOW');
    expect((await lease(f.a, ['age-part'], 4)).map((t) => t.priority)).toEqual(['HIGH', 'VERY_LOW', 'MEDIUM', 'LOW']);
  });

  it('turned off again (agingMs null): strict priority returns', async () => {
    await f.a.patch('/queues/age-back?tenantId=t', { agingMs: MINUTE });
    await createTasks(f.a, 't', 'age-back', 1, 'LOW');
    await backdate('age-back', 3, 60 * MINUTE);
    await createTasks(f.a, 't', 'age-back', 1, 'HIGH');
    expect((await f.a.patch('/queues/age-back?tenantId=t', { agingMs: null })).body.agingMs).toBeNull();
    expect((await lease(f.a, ['age-back'], 2)).map((t) => t.priority)).toEqual(['HIGH', 'LOW']);
    const bad = await f.a.patch('/queues/age-back?tenantId=t', { agingMs: 0 });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});
