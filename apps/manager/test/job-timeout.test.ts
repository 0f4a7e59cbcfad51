// Job-level timeout over real HTTP on both stores: past timeoutMs the job fails with TIMEOUT, its open tasks
// are aborted and the worker running one is told to stop; a job without a timeout is left alone.
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { waitFor } from './api.js';
import { useManager } from './fixtures.js';

describe.each(testStores())('job timeout on %s', (store) => {
  const t = useManager(store, { tasks: { sweepIntervalMs: 100 } });

  it('fails the job with TIMEOUT and tells the running task to stop', async () => {
    const job = (await t.a.post('/jobs', { name: 'slow', timeoutMs: 1000, stages: [{ type: 'jt-slow', tasks: [{}, {}] }] })).body;
    const patient = (await t.a.post('/jobs', { name: 'patient', stages: [{ type: 'jt-patient', tasks: [{}] }] })).body;
    expect(job.timeoutMs).toBe(1000);
    const running = (await t.a.post('/dequeue', { workerId: 'jt-w', max: 1, stageTypes: ['jt-slow'] })).body.tasks[0];
    // The worker's directives long-poll answers as soon as the job times out.
    const directives = await t.a.post('/workers/jt-w/directives', { tasks: [{ taskId: running.id, leaseToken: running.leaseToken }], waitMs: 20_000 });
    expect(directives.body.tasks).toEqual([{ taskId: running.id, directive: 'cancel' }]);
    const failed = (await waitFor(() => t.a.get(`/jobs/${job.id}?include=stages`), (r) => r.body.status === 'FAILED')).body;
    expect(failed.error).toMatchObject({ code: 'TIMEOUT' });
    expect(failed.stages[0]).toMatchObject({ status: 'ABORTED', summary: { aborted: 2 } });
    const hb = await t.a.post('/workers/jt-w/heartbeat', { tasks: [{ taskId: running.id, leaseToken: running.leaseToken }] });
    expect(hb.body.tasks[0].directive).toBe('cancel');
    const history = (await t.a.get(`/jobs/${job.id}/history`)).body.items;
    expect(history.at(-1)).toMatchObject({ kind: 'job', from: 'IN_PROGRESS', to: 'FAILED', actor: 'timeout', reason: { code: 'TIMEOUT' } });
    expect(history.filter((e: any) => e.kind === 'attempt')).toEqual([expect.objectContaining({ taskId: running.id, actor: 'timeout', attempt: expect.objectContaining({ outcome: 'ABORTED' }) })]);
    expect((await t.a.get(`/jobs/${patient.id}`)).body.status).toBe('PENDING');
  });

  it('rejects a timeout under a second with a 400', async () => {
    const r = await t.a.post('/jobs', { name: 'rushed', timeoutMs: 10, stages: [{ type: 'jt-x', tasks: [{}] }] });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('VALIDATION_FAILED');
  });

  it('a retried timed-out job gets its timeout afresh', async () => {
    const job = (await t.a.post('/jobs', { name: 'again', timeoutMs: 1000, stages: [{ type: 'jt-again', tasks: [{}] }] })).body;
    await waitFor(() => t.a.get(`/jobs/${job.id}`), (r) => r.body.status === 'FAILED');
    expect((await t.a.post(`/jobs/${job.id}/retry`)).body).toMatchObject({ status: 'PENDING', error: null });
    const d = (await t.a.post('/dequeue', { workerId: 'jt-r', max: 1, stageTypes: ['jt-again'] })).body.tasks;
    expect(d).toHaveLength(1);
    await t.a.post('/tasks/complete', { items: [{ taskId: d[0].id, leaseToken: d[0].leaseToken }] });
    expect((await t.a.get(`/jobs/${job.id}`)).body.status).toBe('COMPLETED');
  });
});
