// A dequeue over uncapped and limited (capped, grouped, rate-limited) queues runs two rounds: the first leases from the
// uncapped queues and commits, the second serves the limited ones under their locks. When the second fails, the
// first's leases are already committed: the worker must still get those tasks, or they would wait out their lease
// unrun and be retried with an attempt spent (a task's last attempt would fail it without its handler ever running).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadySignal } from '../src/services/ready-signal.js';
import { ScanMarks } from '../src/services/scan-marks.js';
import { WorkService } from '../src/services/work-service.js';
import { DEQUEUE_LOCKED } from '../src/store/dequeue.js';
import { testStores, type TestManager } from '../src/testing.js';
import { type Api, managerWithApi } from './api.js';
import { createTasks, type Leased } from './flow-helpers.js';
import { spyDb } from './spy-db.js';

describe.each(testStores())('a failed round of limited queues (%s)', (store) => {
  let m: TestManager;
  let a: Api;
  beforeAll(async () => ({ m, a } = await managerWithApi(store)));
  afterAll(() => m.close());

  /** A WorkService whose limited round fails while `broken` is set; reports what its hook heard. */
  const failingLimitedRound = () => {
    const state = { broken: true, reported: [] as { message: string; leased: number }[] };
    const db = spyDb(m.manager.db, {
      beforeTxQuery: (sql) => {
        if (sql === DEQUEUE_LOCKED && state.broken) throw new Error('connection lost in the limited round');
      },
    });
    const work = new WorkService(db, new ReadySignal(), new ScanMarks(0), { defaultLeaseMs: 60_000, history: true }, {
      limitedRoundFailed: (err, leased) => state.reported.push({ message: (err as Error).message, leased }),
    });
    return { work, state };
  };

  it("hands out the first round's tasks, reports the failure, and serves the limited queue on the next dequeue", async () => {
    await createTasks(a, 'default', 'lrf-free', 2);
    await createTasks(a, 'default', 'lrf-capped', 2);
    expect((await a.patch('/queues/lrf-capped', { maxInFlight: 5 })).status).toBe(200);
    const { work, state } = failingLimitedRound();
    const input = { stageTypes: ['lrf-free', 'lrf-capped'], tenantId: null, workerId: 'w', max: 10, waitMs: 0 };

    const got = await work.dequeue(input);
    const tasks = (JSON.parse(got.json) as { tasks: Leased[] }).tasks;
    expect(got.count).toBe(2);
    expect(tasks.map((t) => t.stageType)).toEqual(['lrf-free', 'lrf-free']);
    expect(state.reported).toEqual([{ message: 'connection lost in the limited round', leased: 2 }]);
    // The leases handed out are the live ones: the worker's completions apply.
    const acked = await a.post('/tasks/complete', { items: tasks.map((t) => ({ taskId: t.id, leaseToken: t.leaseToken })) });
    expect(acked.body.items.map((i: { ok: boolean }) => i.ok)).toEqual([true, true]);

    state.broken = false;
    const next = await work.dequeue(input);
    expect((JSON.parse(next.json) as { tasks: Leased[] }).tasks.map((t) => t.stageType)).toEqual(['lrf-capped', 'lrf-capped']);
  });

  it('still fails the dequeue when the first round leased nothing (nothing to hand out)', async () => {
    await createTasks(a, 'default', 'lrf-only-capped', 1);
    expect((await a.patch('/queues/lrf-only-capped', { maxInFlight: 5 })).status).toBe(200);
    const { work, state } = failingLimitedRound();
    const input = { stageTypes: ['lrf-only-capped'], tenantId: null, workerId: 'w', max: 10, waitMs: 0 };
    await expect(work.dequeue(input)).rejects.toThrow('connection lost in the limited round');
    expect(state.reported).toEqual([]);
    // Nothing was leased: the task is there for the next dequeue, on its first attempt.
    state.broken = false;
    const next = (JSON.parse((await work.dequeue(input)).json) as { tasks: (Leased & { attempts: number })[] }).tasks;
    expect(next.map((t) => t.attempts)).toEqual([1]);
  });
});
