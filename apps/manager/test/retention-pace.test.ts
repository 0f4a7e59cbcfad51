// Retention paces itself (retention.dutyPercent): stopping a manager in the middle of a slow, paced sweep does not
// wait out its rests, leaves the expired job whole enough to read, and the next sweep deletes the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Retention } from '../src/loops/retention.js';
import { testStores, type TestManager } from '../src/testing.js';
import { type Api, managerWithApi, tasksOf, waitFor } from './api.js';

describe.each(testStores())('retention pacing on %s', (store) => {
  let m: TestManager;
  let a: Api;
  // At 1 % the sweep rests 99 times as long as each statement took: deleting 40 tasks one per statement takes
  // seconds, so stop() lands in the middle of it.
  const options = { days: 7, intervalMs: 3_600_000, batchSize: 1, dutyPercent: 1 };
  beforeAll(async () => ({ m, a } = await managerWithApi(store, { retention: options })));
  afterAll(() => m.close());

  const tasksLeft = async (jobId: string) =>
    (await m.manager.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tasks WHERE job_id = $1', [jobId]))[0]!.n;

  it('stops mid-sweep without waiting out its rests; the next sweep finishes the job', async () => {
    const job = (await a.post('/jobs', { name: 'paced-expiry', stages: [{ type: 'paced', tasks: tasksOf(40) }] })).body;
    expect((await a.post(`/jobs/${job.id}/cancel`)).status).toBe(200);
    expect((await a.patch(`/jobs/${job.id}`, { expiresAt: new Date(Date.now() - 1000).toISOString() })).status).toBe(200);

    const sweep = m.manager.retention.sweep();
    await waitFor(() => tasksLeft(job.id), (n) => n < 40);
    await m.manager.retention.stop();
    // The sweep ended with the stop: it deleted no job (its tasks were not all gone yet), and what it left is readable.
    expect(await sweep).toBe(0);
    const left = await tasksLeft(job.id);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(40);
    const read = await a.get(`/jobs/${job.id}`);
    expect([read.status, read.body.status]).toEqual([200, 'ABORTED']);

    // A later sweep (here unpaced) takes up where it stopped.
    const next = new Retention(m.manager.db, { ...options, dutyPercent: 100 }, m.manager.logger);
    expect(await next.sweep()).toBe(1);
    expect((await a.get(`/jobs/${job.id}`)).status).toBe(404);
    expect(await tasksLeft(job.id)).toBe(0);
    const history = await m.manager.db.query<{ n: number }>('SELECT count(*)::int AS n FROM job_history WHERE job_id = $1', [job.id]);
    expect(history[0]!.n).toBe(0);
  });
});
