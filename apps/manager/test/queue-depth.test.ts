// A queue's depth (GET /queues, the PATCH /queues answer, the jobnik_queue_depth gauge) is read from its open stages'
// counters, its running tasks and its delayed ones, not by counting every task it holds: the numbers must still be
// exactly what counting the tasks gives, whatever mix of ready, delayed, running, waiting, paused and finished work
// the queue holds. jobnik_queue_paused says beside it which queues hold their ready work back on purpose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStores, type TestManager } from '../src/testing.js';
import { type Api, managerWithApi, tasksOf } from './api.js';

const TYPE = 'depth';

describe.each(testStores())('queue depth (%s)', (store) => {
  let m: TestManager;
  let a: Api;
  beforeAll(async () => ({ m, a } = await managerWithApi(store)));
  afterAll(() => m.close());

  /** The oracle: every live task of the queue, counted one by one. */
  async function counted() {
    const [r] = await m.manager.db.query<Record<string, number>>(
      `SELECT
         count(*) FILTER (WHERE t.status = 'WAITING')::int AS waiting,
         count(*) FILTER (WHERE t.status = 'PENDING' AND t.run_after <= now())::int AS ready,
         count(*) FILTER (WHERE t.status = 'PENDING' AND t.run_after > now())::int AS delayed,
         count(*) FILTER (WHERE t.status = 'IN_PROGRESS')::int AS "inProgress",
         count(*) FILTER (WHERE t.status = 'PAUSED')::int AS paused
       FROM tasks t JOIN queues q ON q.id = t.queue_id WHERE q.name = $1`,
      [TYPE],
    );
    return r!;
  }
  const listed = async () => (await a.get('/queues')).body.items.find((q: any) => q.name === TYPE).depth;
  const gauge = async () => {
    const text = (await a.get('/metrics')).body as string;
    const of = (status: string) => Number(new RegExp(`^jobnik_queue_depth\\{[^}]*stage_type="${TYPE}",status="${status}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    return { waiting: of('waiting'), ready: of('ready'), delayed: of('delayed'), inProgress: of('in_progress'), paused: of('paused') };
  };
  const job = async (body: Record<string, unknown>) => {
    const res = await a.post('/jobs', body);
    expect(res.status).toBe(201);
    return res.body;
  };
  const lease = async (max: number) => {
    const tasks = (await a.post('/dequeue', { workerId: 'w', max, stageTypes: [TYPE] })).body.tasks as { id: string; leaseToken: string }[];
    expect(tasks).toHaveLength(max);
    return tasks.map((t) => ({ taskId: t.id, leaseToken: t.leaseToken }));
  };
  const expectDepthAsCounted = async () => {
    const exact = await counted();
    expect(await listed()).toMatchObject(exact);
    expect((await a.patch(`/queues/${TYPE}`, { weight: 1 })).body.depth).toMatchObject(exact);
    expect(await gauge()).toEqual(exact);
    return exact;
  };

  it('matches a count of the tasks through every kind of work and every way a stage ends', async () => {
    // Finished stages: completed, failed fast (its other tasks aborted), cancelled while running.
    await job({ name: 'done', stages: [{ type: TYPE, tasks: tasksOf(1) }] });
    await a.post('/tasks/complete', { items: await lease(1) });
    const failing = await job({ name: 'fails', stages: [{ type: TYPE, failFast: true, tasks: tasksOf(3).map((t) => ({ ...t, maxAttempts: 1 })) }] });
    const [f] = await lease(1);
    await a.post('/tasks/fail', { items: [{ ...f, error: { message: 'for good' } }] });
    expect((await a.get(`/jobs/${failing.id}`)).body.status).toBe('FAILED');
    const cancelled = await job({ name: 'cancelled', stages: [{ type: TYPE, tasks: tasksOf(2) }] });
    await lease(2);
    expect((await a.post(`/jobs/${cancelled.id}/cancel`)).body.status).toBe('ABORTED');
    expect(await expectDepthAsCounted()).toEqual({ waiting: 0, ready: 0, delayed: 0, inProgress: 0, paused: 0 });

    // Running tasks, one of them back to PENDING with a long backoff (delayed).
    await job({ name: 'running', stages: [{ type: TYPE, tasks: tasksOf(3).map((t) => ({ ...t, backoff: { baseMs: 3_600_000, maxMs: 3_600_000, jitter: 0 } })) }] });
    const [retried] = await lease(3);
    expect((await a.post('/tasks/fail', { items: [{ ...retried!, error: { message: 'again later' } }] })).body.items[0]).toMatchObject({ status: 'PENDING' });
    // Ready work at two priorities, a task due in an hour, a stage waiting behind another, a suspended job.
    await job({ name: 'high', priority: 'HIGH', stages: [{ type: TYPE, tasks: tasksOf(4) }] });
    await job({ name: 'low', priority: 'VERY_LOW', stages: [{ type: TYPE, tasks: tasksOf(2) }] });
    await job({ name: 'later', stages: [{ type: TYPE, tasks: [{ runAfter: new Date(Date.now() + 3_600_000).toISOString() }] }] });
    await job({ name: 'second', stages: [{ type: 'depth-first', tasks: tasksOf(1) }, { type: TYPE, tasks: tasksOf(3) }] });
    const suspended = await job({ name: 'suspended', stages: [{ type: TYPE, tasks: tasksOf(2) }] });
    expect((await a.post(`/jobs/${suspended.id}/suspend`)).body.status).toBe('PAUSED');
    expect(await expectDepthAsCounted()).toEqual({ waiting: 3, ready: 6, delayed: 2, inProgress: 2, paused: 2 });

    // Work moves on: the waiting stage opens, the suspended job resumes, running tasks finish.
    const first = (await a.post('/dequeue', { workerId: 'w', max: 1, stageTypes: ['depth-first'] })).body.tasks[0];
    await a.post('/tasks/complete', { items: [{ taskId: first.id, leaseToken: first.leaseToken }] });
    expect((await a.post(`/jobs/${suspended.id}/resume`)).status).toBe(200);
    await a.post('/tasks/complete', { items: await lease(4) });
    expect(await expectDepthAsCounted()).toEqual({ waiting: 0, ready: 7, delayed: 2, inProgress: 2, paused: 0 });
  });

  it('exports whether each queue is paused beside its depth, so alerts can tell held-back work from stalled work', async () => {
    const paused = async () => Number(new RegExp(`^jobnik_queue_paused\\{[^}]*stage_type="${TYPE}"\\} (\\d+)$`, 'm').exec((await a.get('/metrics')).body as string)?.[1]);
    expect(await paused()).toBe(0);
    expect((await a.patch(`/queues/${TYPE}`, { paused: true })).body.paused).toBe(true);
    expect(await paused()).toBe(1);
    // The depth is still reported while paused: the ready tasks wait on purpose.
    expect((await gauge()).ready).toBe(7);
    expect((await a.patch(`/queues/${TYPE}`, { paused: false })).body.paused).toBe(false);
    expect(await paused()).toBe(0);
  });
});
