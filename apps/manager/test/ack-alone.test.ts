// A completion that ends no stage — nearly every one — is one statement committed on its own: no transaction, so its
// stage's row is not held across BEGIN/COMMIT round trips through the manager. The completion that may end a stage is
// rolled back by the statement itself and runs again in a transaction that settles the stage and the job, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/db.js';
import { ReadySignal } from '../src/services/ready-signal.js';
import { ScanMarks } from '../src/services/scan-marks.js';
import { WorkService } from '../src/services/work-service.js';
import { testStores, type TestManager } from '../src/testing.js';
import { type Api, managerWithApi, tasksOf } from './api.js';
import { spyDb } from './spy-db.js';

describe.each(testStores())('completions on their own (%s)', (store) => {
  let m: TestManager;
  let a: Api;
  beforeAll(async () => ({ m, a } = await managerWithApi(store)));
  afterAll(() => m.close());

  /** The manager's database, counting the transactions opened through it. */
  function counting(db: Db): { db: Db; transactions: () => number; completionsAlone: () => number } {
    let n = 0;
    let alone = 0;
    return {
      transactions: () => n,
      completionsAlone: () => alone,
      db: spyDb(db, {
        beforeQuery: (sql) => {
          if (typeof sql !== 'string' && sql.name === 'jobnik_complete') alone++;
        },
        onTransaction: () => n++,
      }),
    };
  }
  const work = (db: Db) => new WorkService(db, new ReadySignal(), new ScanMarks(0), { defaultLeaseMs: 60_000, history: true });
  const leased = async (type: string, n: number) => {
    const job = (await a.post('/jobs', { name: type, stages: [{ type, tasks: tasksOf(n) }] })).body;
    const tasks = (await a.post('/dequeue', { workerId: 'w', max: n, stageTypes: [type] })).body.tasks as { id: string; leaseToken: string }[];
    expect(tasks).toHaveLength(n);
    return { job, items: tasks.map((t) => ({ taskId: t.id, leaseToken: t.leaseToken })) };
  };
  const jobTransitions = async (jobId: string) =>
    ((await a.get(`/jobs/${jobId}/history?limit=1000`)).body.items as { kind: string; to: string }[]).filter((e) => e.kind !== 'attempt').map((e) => `${e.kind}:${e.to}`);

  it('commits a completion that ends no stage without a transaction, and one that ends it in one transaction', async () => {
    const { job, items } = await leased('alone-a', 3);
    const c = counting(m.manager.db);

    const first = await work(c.db).complete(null, items.slice(0, 2));
    expect(first.items.map((i) => i.ok)).toEqual([true, true]);
    expect(c.transactions()).toBe(0);
    const stage = (await a.get(`/jobs/${job.id}/stages`)).body.items[0];
    expect([stage.status, stage.summary.completed, stage.summary.inProgress]).toEqual(['IN_PROGRESS', 2, 1]);
    expect((await a.get(`/jobs/${job.id}`)).body.status).toBe('IN_PROGRESS');

    // A stale repeat is answered as before (the first answer was lost), still without a transaction.
    expect((await work(c.db).complete(null, items.slice(0, 1))).items).toEqual([{ taskId: items[0]!.taskId, ok: true, status: 'COMPLETED' }]);
    expect(c.transactions()).toBe(0);

    const last = await work(c.db).complete(null, items.slice(2));
    expect(last.items).toEqual([{ taskId: items[2]!.taskId, ok: true, status: 'COMPLETED' }]);
    expect(c.transactions()).toBe(1);
    expect((await a.get(`/jobs/${job.id}`)).body.status).toBe('COMPLETED');
    expect(await jobTransitions(job.id)).toEqual(['job:PENDING', 'job:IN_PROGRESS', 'stage:IN_PROGRESS', 'stage:COMPLETED', 'job:COMPLETED']);
    // Every attempt is recorded once, whichever way its completion went.
    const attempts = ((await a.get(`/jobs/${job.id}/history?limit=1000`)).body.items as { kind: string; to: string }[]).filter((e) => e.kind === 'attempt');
    expect(attempts.map((e) => e.to)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
  });

  it('settles a stage once when completions of its last tasks race over HTTP', async () => {
    for (let round = 0; round < 5; round++) {
      const { job, items } = await leased(`alone-race-${round}`, 4);
      const answers = await Promise.all(items.map((i) => a.post('/tasks/complete', { items: [i] })));
      expect(answers.map((r) => [r.status, r.body.items[0].ok])).toEqual(Array(4).fill([200, true]));
      const j = (await a.get(`/jobs/${job.id}`)).body;
      expect(j.status).toBe('COMPLETED');
      expect(await jobTransitions(job.id)).toEqual(['job:PENDING', 'job:IN_PROGRESS', 'stage:IN_PROGRESS', 'stage:COMPLETED', 'job:COMPLETED']);
    }
  });

  it('goes straight to the transaction in a stream of single-task jobs, where every completion ends its stage', async () => {
    const c = counting(m.manager.db);
    const w = work(c.db);
    const jobs: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { job, items } = await leased(`alone-single-${i}`, 1);
      jobs.push(job.id);
      expect((await w.complete(null, items)).items[0]!.ok).toBe(true);
    }
    // The first tries alone end their stage (rolled back, run again); then the manager stops trying for a while.
    expect(c.completionsAlone()).toBeGreaterThan(0);
    expect(c.completionsAlone()).toBeLessThan(10);
    expect(c.transactions()).toBe(20);
    for (const id of jobs) expect((await a.get(`/jobs/${id}`)).body.status).toBe('COMPLETED');
  });

  it('opens the next stage when a completion ends the first', async () => {
    const type = 'alone-next';
    const job = (await a.post('/jobs', { name: type, stages: [{ type, tasks: tasksOf(2) }, { type: `${type}-2`, tasks: tasksOf(1) }] })).body;
    const tasks = (await a.post('/dequeue', { workerId: 'w', max: 2, stageTypes: [type] })).body.tasks as { id: string; leaseToken: string }[];
    await a.post('/tasks/complete', { items: [{ taskId: tasks[0]!.id, leaseToken: tasks[0]!.leaseToken }] });
    expect((await a.post('/dequeue', { workerId: 'w', max: 1, waitMs: 0, stageTypes: [`${type}-2`] })).body.tasks).toEqual([]);
    await a.post('/tasks/complete', { items: [{ taskId: tasks[1]!.id, leaseToken: tasks[1]!.leaseToken }] });
    const next = (await a.post('/dequeue', { workerId: 'w', max: 1, waitMs: 0, stageTypes: [`${type}-2`] })).body.tasks;
    expect(next.map((t: { jobId: string }) => t.jobId)).toEqual([job.id]);
  });
});
