// The metrics of this feature over real HTTP on both stores: jobs created by name, the attempts a finished
// task took, and requests that failed in their history write (the change failing with them).
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { useManager } from './fixtures.js';

const metric = (text: string, line: string) => Number(new RegExp(`^${line.replace(/[{}.+"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 'NaN');

describe.each(testStores())('history metrics on %s', (store) => {
  const t = useManager(store);

  it('counts jobs created by name and observes the attempts tasks took', async () => {
    for (let i = 0; i < 2; i++) await t.a.post('/jobs', { name: 'counted-job', stages: [{ type: 'hm-a', tasks: [{ backoff: { baseMs: 0, maxMs: 0 } }] }] });
    // One task fails once and then completes (2 attempts), the other completes at once (1).
    let d = (await t.a.post('/dequeue', { workerId: 'hm', max: 2, stageTypes: ['hm-a'] })).body.tasks;
    await t.a.post('/tasks/fail', { items: [{ taskId: d[0].id, leaseToken: d[0].leaseToken, error: { message: 'once' } }] });
    await t.a.post('/tasks/complete', { items: [{ taskId: d[1].id, leaseToken: d[1].leaseToken }] });
    d = (await t.a.post('/dequeue', { workerId: 'hm', max: 2, stageTypes: ['hm-a'] })).body.tasks;
    await t.a.post('/tasks/complete', { items: [{ taskId: d[0].id, leaseToken: d[0].leaseToken }] });
    const text = (await t.a.get<string>('/metrics')).body;
    expect(metric(text, 'jobnik_jobs_created_total{name="counted-job"}')).toBe(2);
    expect(metric(text, 'jobnik_task_attempts_count{status="COMPLETED"}')).toBe(2);
    expect(metric(text, 'jobnik_task_attempts_sum{status="COMPLETED"}')).toBe(3);
    expect(metric(text, 'jobnik_task_attempts_bucket{le="1",status="COMPLETED"}')).toBe(1);
  });

  it('counts a request that failed in its history write, and the change did not happen', async () => {
    await t.a.post('/jobs', { name: 'hm-broken', stages: [{ type: 'hm-b', tasks: [{}] }] });
    const d = (await t.a.post('/dequeue', { workerId: 'hm', max: 1, stageTypes: ['hm-b'] })).body.tasks[0];
    const db = t.m.manager.db;
    await db.query('ALTER TABLE task_attempts ADD CONSTRAINT hm_refuse CHECK (worker IS DISTINCT FROM \'hm\') NOT VALID');
    try {
      const r = await t.a.post('/tasks/complete', { items: [{ taskId: d.id, leaseToken: d.leaseToken }] });
      expect(r.status).toBe(500);
    } finally {
      await db.query('ALTER TABLE task_attempts DROP CONSTRAINT hm_refuse');
    }
    expect((await t.a.get(`/tasks/${d.id}`)).body.status).toBe('IN_PROGRESS');
    expect(metric((await t.a.get<string>('/metrics')).body, 'jobnik_history_write_failures_total')).toBe(1);
  });
});
