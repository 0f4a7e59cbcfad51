// Progress and ETA over real HTTP on both stores: running tasks count by the progress they report (each task
// weighs 1), and the ETA follows the documented formula (remaining work at the throughput seen since start).
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { useManager } from './fixtures.js';

describe.each(testStores())('progress on %s', (store) => {
  const t = useManager(store);

  it('a one-task job whose handler reported 0.5 reads 50 %, the stage too', async () => {
    const job = (await t.a.post('/jobs', { name: 'half', stages: [{ type: 'pg-half', tasks: [{}] }] })).body;
    expect(job).toMatchObject({ percentage: 0, etaMs: null });
    const task = (await t.a.post('/dequeue', { workerId: 'ph', max: 1, stageTypes: ['pg-half'] })).body.tasks[0];
    await t.a.post('/workers/ph/heartbeat', { tasks: [{ taskId: task.id, leaseToken: task.leaseToken, progress: 0.5 }] });
    const read = (await t.a.get(`/jobs/${job.id}?include=stages`)).body;
    expect(read.percentage).toBe(50);
    expect(read.stages[0].percentage).toBe(50);
    expect((await t.a.get(`/jobs?name=half`)).body.items[0].percentage).toBe(50);
    await t.a.post('/tasks/complete', { items: [{ taskId: task.id, leaseToken: task.leaseToken }] });
    expect((await t.a.get(`/jobs/${job.id}`)).body).toMatchObject({ percentage: 100, etaMs: null });
  });

  it('weights by task and estimates the rest from the throughput since the job started', async () => {
    const job = (await t.a.post('/jobs', { name: 'eta', stages: [{ type: 'pg-eta', tasks: [{}, {}, {}, {}] }] })).body;
    const leased = (await t.a.post('/dequeue', { workerId: 'pe', max: 3, stageTypes: ['pg-eta'] })).body.tasks;
    await t.a.post('/tasks/complete', { items: leased.slice(0, 2).map((x: any) => ({ taskId: x.id, leaseToken: x.leaseToken })) });
    await t.a.post('/workers/pe/heartbeat', { tasks: [{ taskId: leased[2].id, leaseToken: leased[2].leaseToken, progress: 0.5 }] });
    const before = Date.now();
    const read = (await t.a.get(`/jobs/${job.id}?include=stages`)).body;
    const after = Date.now();
    // done = 2 + 0.5 of 4; remaining = 4 − 2 − 0.5 = 1.5; ETA = 1.5 · elapsed / 2.5.
    expect(read.percentage).toBe(62);
    expect(read.stages[0].percentage).toBe(62);
    const started = Date.parse(read.startedAt);
    expect(read.etaMs).toBeGreaterThanOrEqual(Math.floor((1.5 * (before - started)) / 2.5) - 1);
    expect(read.etaMs).toBeLessThanOrEqual(Math.ceil((1.5 * (after - started)) / 2.5) + 1);
    expect(read.stages[0].etaMs).not.toBeNull();
  });
});
