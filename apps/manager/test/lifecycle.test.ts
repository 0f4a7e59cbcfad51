// Lifecycle calls at their corners, over real HTTP on both stores: each call accepts only the statuses it
// names (resume: PAUSED; retry: FAILED or ABORTED), and no sequence of calls leaves a job that can never end.
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { drain } from './api.js';
import { useManager } from './fixtures.js';

describe.each(testStores())('lifecycle corners on %s', (store) => {
  const t = useManager(store);

  const oneTaskJob = async (type: string) => (await t.a.post('/jobs', { name: 'corner', stages: [{ type, tasks: [{ data: 1 }] }] })).body;

  it('resume does not revive a cancelled job or stage: 409, and retry still reopens the job', async () => {
    const job = await oneTaskJob('lc-revive');
    expect((await t.a.post(`/jobs/${job.id}/cancel`)).body.status).toBe('ABORTED');
    const resumed = await t.a.post(`/jobs/${job.id}/resume`);
    expect(resumed.status).toBe(409);
    expect(resumed.body).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect(resumed.body.detail).toContain('resume needs PAUSED');
    const stageResumed = await t.a.post(`/stages/${job.stages[0].id}/resume`);
    expect(stageResumed.status).toBe(409);
    expect((await t.a.get(`/jobs/${job.id}`)).body.status).toBe('ABORTED');
    // The way back from ABORTED is retry, and it leads to completion.
    expect((await t.a.post(`/jobs/${job.id}/retry`)).body.status).toBe('PENDING');
    expect(await drain(t.a, ['lc-revive'])).toBe(1);
    expect((await t.a.get(`/jobs/${job.id}`)).body.status).toBe('COMPLETED');
  });

  it('retry on a suspended job is refused; resume finishes it with the cancelled task left aborted', async () => {
    const job = (await t.a.post('/jobs', { name: 'corner', stages: [{ type: 'lc-strand', tasks: [{ data: 0 }, { data: 1 }] }] })).body;
    await t.a.post(`/jobs/${job.id}/suspend`);
    const tasks = (await t.a.get(`/stages/${job.stages[0].id}/tasks`)).body.items;
    expect((await t.a.post(`/tasks/${tasks[0].id}/cancel`)).body.status).toBe('ABORTED');
    const retried = await t.a.post(`/jobs/${job.id}/retry`);
    expect(retried.status).toBe(409);
    expect(retried.body.detail).toContain('retry needs FAILED or ABORTED');
    expect((await t.a.post(`/jobs/${job.id}/resume`)).status).toBe(200);
    expect(await drain(t.a, ['lc-strand'])).toBe(1);
    const done = (await t.a.get(`/jobs/${job.id}?include=stages`)).body;
    expect(done.status).toBe('COMPLETED');
    expect(done.stages[0].summary).toMatchObject({ completed: 1, aborted: 1, paused: 0 });
  });

  it('a waiting stage suspended before its turn runs once resumed after the stage before it completed', async () => {
    const job = (await t.a.post('/jobs', { name: 'corner', stages: [{ type: 'lc-first', tasks: [{}] }, { type: 'lc-second', tasks: [{}, {}] }] })).body;
    const second = job.stages[1].id;
    expect((await t.a.post(`/stages/${second}/suspend`)).body.status).toBe('PAUSED');
    expect(await drain(t.a, ['lc-first'])).toBe(1);
    // Resumed while the first stage is done: its waiting tasks become ready.
    expect((await t.a.post(`/stages/${second}/resume`)).body.status).toBe('PENDING');
    expect(await drain(t.a, ['lc-second'])).toBe(2);
    expect((await t.a.get(`/jobs/${job.id}`)).body.status).toBe('COMPLETED');
  });

  it('a waiting stage suspended and resumed before its turn waits again, then opens in order', async () => {
    const job = (await t.a.post('/jobs', { name: 'corner', stages: [{ type: 'lc-a', tasks: [{}] }, { type: 'lc-b', tasks: [{}] }] })).body;
    const second = job.stages[1].id;
    await t.a.post(`/stages/${second}/suspend`);
    expect((await t.a.post(`/stages/${second}/resume`)).body.status).toBe('WAITING');
    expect((await t.a.post('/dequeue', { workerId: 'w', max: 5, stageTypes: ['lc-b'] })).body.tasks).toHaveLength(0);
    expect(await drain(t.a, ['lc-a'])).toBe(1);
    expect(await drain(t.a, ['lc-b'])).toBe(1);
    expect((await t.a.get(`/jobs/${job.id}`)).body.status).toBe('COMPLETED');
  });
});
