// The job tree over real HTTP on both stores: bulk create, roll-up, stage order, listing, update, delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStores, type TestManager } from '../src/testing.js';
import { type Api, drain, managerWithApi, tasksOf } from './api.js';

describe.each(testStores())('jobs on %s', (store) => {
  let m: TestManager;
  let a: Api;
  beforeAll(async () => ({ m, a } = await managerWithApi(store)));
  afterAll(() => m.close());

  it('creates a job with 2 stages × 1,000 tasks in one request; stage 2 waits for stage 1', async () => {
    const res = await a.post('/jobs', {
      name: 'tile-export',
      data: { region: 'north' },
      stages: [
        { type: 'jt-render', tasks: tasksOf(1000) },
        { type: 'jt-upload', tasks: tasksOf(1000) },
      ],
    });
    expect(res.status).toBe(201);
    const job = res.body;
    expect(job.status).toBe('PENDING');
    expect(job.summary).toMatchObject({ pending: 1000, waiting: 1000, total: 2000 });
    expect(job.stages.map((s: any) => [s.order, s.type, s.status])).toEqual([
      [0, 'jt-render', 'PENDING'],
      [1, 'jt-upload', 'WAITING'],
    ]);
    const stage2Tasks = await a.get(`/stages/${job.stages[1].id}/tasks?limit=5`);
    expect(stage2Tasks.body.items.every((t: any) => t.status === 'WAITING')).toBe(true);
    // Nothing of stage 2 can be dequeued yet.
    expect((await a.post('/dequeue', { workerId: 'w', max: 10, stageTypes: ['jt-upload'] })).body.tasks).toHaveLength(0);

    // Complete half of stage 1: counts and percentages roll up.
    const d = await a.post('/dequeue', { workerId: 'w', max: 500, stageTypes: ['jt-render'] });
    expect(d.body.tasks).toHaveLength(500);
    await a.post('/tasks/complete', { items: d.body.tasks.map((t: any) => ({ taskId: t.id, leaseToken: t.leaseToken })) });
    const half = (await a.get(`/jobs/${job.id}?include=stages`)).body;
    expect(half.status).toBe('IN_PROGRESS');
    expect(half.stages[0]).toMatchObject({ status: 'IN_PROGRESS', percentage: 50, summary: { completed: 500, pending: 500, total: 1000 } });
    expect(half.percentage).toBe(25);

    expect(await drain(a, ['jt-render'])).toBe(500);
    const opened = (await a.get(`/jobs/${job.id}?include=stages`)).body;
    expect(opened.stages.map((s: any) => s.status)).toEqual(['COMPLETED', 'PENDING']);
    expect(opened.stages[1].summary).toMatchObject({ pending: 1000, waiting: 0 });

    expect(await drain(a, ['jt-upload'])).toBe(1000);
    const done = (await a.get(`/jobs/${job.id}`)).body;
    expect(done).toMatchObject({ status: 'COMPLETED', percentage: 100, summary: { completed: 2000, total: 2000 } });
    expect(done.finishedAt).not.toBeNull();
  });

  it('accepts tasks with no data at all (stored as JSON null)', async () => {
    const job = (await a.post('/jobs', { name: 'bare', stages: [{ type: 'bare', tasks: [{}, { data: null }] }] })).body;
    const tasks = (await a.get(`/stages/${job.stages[0].id}/tasks`)).body.items;
    expect(tasks.map((t: any) => t.data)).toEqual([null, null]);
  });

  it('runs stages in parallel when asked', async () => {
    const job = (await a.post('/jobs', { name: 'par', parallelStages: true, stages: [{ type: 'par-a', tasks: tasksOf(2) }, { type: 'par-b', tasks: tasksOf(2) }] })).body;
    expect(job.stages.map((s: any) => s.status)).toEqual(['PENDING', 'PENDING']);
  });

  it('adds stages and tasks later; an empty job is CREATED until it has stages', async () => {
    const job = (await a.post('/jobs', { name: 'grow' })).body;
    expect(job.status).toBe('CREATED');
    const stage = await a.post(`/jobs/${job.id}/stages`, { type: 'grow-a' });
    expect(stage.status).toBe(201);
    expect(stage.body.status).toBe('CREATED');
    const added = await a.post(`/stages/${stage.body.id}/tasks`, { tasks: tasksOf(3) });
    expect(added.status).toBe(201);
    expect(added.body.created).toBe(3);
    const tasks = (await a.get(`/stages/${stage.body.id}/tasks`)).body.items;
    expect(tasks.map((t: any) => t.id)).toEqual(added.body.taskIds);
    expect((await a.get(`/stages/${stage.body.id}/summary`)).body).toMatchObject({ pending: 3, total: 3 });
    expect((await a.get(`/jobs/${job.id}`)).body.status).toBe('PENDING');
    const later = (await a.post(`/jobs/${job.id}/stages`, { type: 'grow-b', tasks: tasksOf(1) })).body;
    expect(later.status).toBe('WAITING');
  });

  it('lists with filters, sorting and cursor pagination', async () => {
    const tag = `list-${store}`;
    for (const [i, priority] of (['LOW', 'HIGH', 'MEDIUM', 'HIGH', 'VERY_LOW'] as const).entries()) {
      await a.post('/jobs', { name: tag, priority, userMetadata: { i } });
    }
    const all = (await a.get(`/jobs?name=${tag}&sort=createdAt&limit=2`)).body;
    expect(all.items.map((j: any) => j.userMetadata.i)).toEqual([0, 1]);
    const p2 = (await a.get(`/jobs?name=${tag}&sort=createdAt&limit=2&cursor=${all.nextCursor}`)).body;
    const p3 = (await a.get(`/jobs?name=${tag}&sort=createdAt&limit=2&cursor=${p2.nextCursor}`)).body;
    expect([...p2.items, ...p3.items].map((j: any) => j.userMetadata.i)).toEqual([2, 3, 4]);
    expect(p3.nextCursor).toBeNull();
    const high = (await a.get(`/jobs?name=${tag}&priority=HIGH`)).body.items;
    expect(high.map((j: any) => j.userMetadata.i).sort()).toEqual([1, 3]);
    const byPriority = (await a.get(`/jobs?name=${tag}&sort=priority`)).body.items.map((j: any) => j.priority);
    expect(byPriority).toEqual(['HIGH', 'HIGH', 'MEDIUM', 'LOW', 'VERY_LOW']);
    const newest = (await a.get(`/jobs?name=${tag}&limit=1`)).body.items[0];
    expect(newest.userMetadata.i).toBe(4);
    const none = (await a.get(`/jobs?name=${tag}&createdAfter=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body;
    expect(none.items).toHaveLength(0);
    expect((await a.get(`/jobs?name=${tag}&status=CREATED,FAILED`)).body.items).toHaveLength(5);
    expect((await a.get(`/jobs?name=${tag}&tenantId=someone-else`)).body.items).toHaveLength(0);
  });

  it('updates metadata and priority; deletes only finished jobs', async () => {
    const job = (await a.post('/jobs', { name: 'upd', stages: [{ type: 'upd-a', tasks: tasksOf(2) }] })).body;
    const upd = await a.patch(`/jobs/${job.id}`, { userMetadata: { owner: 'me' }, priority: 'VERY_HIGH' });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ userMetadata: { owner: 'me' }, priority: 'VERY_HIGH' });
    const t = (await a.get(`/stages/${job.stages[0].id}/tasks`)).body.items[0];
    expect(t.priority).toBe('VERY_HIGH');
    const early = await a.del(`/jobs/${job.id}`);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('JOB_NOT_FINISHED');
    expect((await a.post(`/jobs/${job.id}/cancel`)).body.status).toBe('ABORTED');
    expect((await a.del(`/jobs/${job.id}`)).status).toBe(204);
    expect((await a.get(`/jobs/${job.id}`)).body.code).toBe('JOB_NOT_FOUND');
    expect((await a.get(`/tasks/${t.id}`)).status).toBe(404);
  });

  it('refuses illegal transitions with 409 ILLEGAL_TRANSITION', async () => {
    const job = (await a.post('/jobs', { name: 'ill', stages: [{ type: 'ill-a', tasks: tasksOf(1) }] })).body;
    expect((await a.post(`/jobs/${job.id}/resume`)).body.code).toBe('ILLEGAL_TRANSITION');
    expect((await a.post(`/jobs/${job.id}/suspend`)).body.status).toBe('PAUSED');
    const again = await a.post(`/jobs/${job.id}/suspend`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ILLEGAL_TRANSITION');
    expect((await a.post(`/jobs/${job.id}/cancel`)).body.status).toBe('ABORTED');
    expect((await a.post(`/jobs/${job.id}/cancel`)).body.code).toBe('ILLEGAL_TRANSITION');
    expect((await a.post(`/stages/${job.stages[0].id}/tasks`, { tasks: tasksOf(1) })).body.code).toBe('ILLEGAL_TRANSITION');
    expect((await a.post(`/jobs/${job.id}/stages`, { type: 'x' })).body.code).toBe('ILLEGAL_TRANSITION');
  });
});
