// Completions that arrive while others run are committed together, in one statement: each request still gets its
// own answer, a stale or repeated item is answered as it would be alone, and a request the database refuses fails
// alone. (Requests are submitted in one go, so which ones wait for a running batch does not depend on timing.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckResponse } from '@jobnik/contracts';
import type { Db } from '../src/db/db.js';
import { ReadySignal } from '../src/services/ready-signal.js';
import { ScanMarks } from '../src/services/scan-marks.js';
import { WorkService } from '../src/services/work-service.js';
import { testStores, type TestManager } from '../src/testing.js';
import { type Api, managerWithApi, tasksOf } from './api.js';
import { spyDb } from './spy-db.js';

describe.each(testStores())('combined completions (%s)', (store) => {
  let m: TestManager;
  let a: Api;
  beforeAll(async () => ({ m, a } = await managerWithApi(store)));
  afterAll(() => m.close());

  /** A work service on the manager's database that counts the completion statements it runs. */
  function counted(): { work: WorkService; statements: () => number } {
    let n = 0;
    const db: Db = spyDb(m.manager.db, {
      beforeQuery: (sql) => {
        if (typeof sql !== 'string' && sql.name === 'jobnik_complete') n++;
      },
    });
    return { work: new WorkService(db, new ReadySignal(), new ScanMarks(0), { defaultLeaseMs: 60_000, history: true }), statements: () => n };
  }
  const leased = async (type: string, total: number, lease: number) => {
    const job = (await a.post('/jobs', { name: type, stages: [{ type, tasks: tasksOf(total) }] })).body;
    const tasks = (await a.post('/dequeue', { workerId: 'w', max: lease, stageTypes: [type] })).body.tasks as { id: string; leaseToken: string }[];
    expect(tasks).toHaveLength(lease);
    return { job, items: tasks.map((t) => ({ taskId: t.id, leaseToken: t.leaseToken })) };
  };
  const okStatuses = (r: AckResponse) => r.items.map((i) => (i.ok ? i.status : i.code));

  it('answers each of six concurrent completions with its own items, in three statements', async () => {
    const { job, items } = await leased('combine-six', 13, 12);
    const c = counted();
    const requests = [0, 1, 2, 3, 4, 5].map((n) => items.slice(2 * n, 2 * n + 2).map((i) => ({ ...i, result: { n } })));
    const answers = await Promise.all(requests.map((r) => c.work.complete(null, r)));

    answers.forEach((answer, n) => expect(answer.items).toEqual(requests[n]!.map((i) => ({ taskId: i.taskId, ok: true, status: 'COMPLETED' }))));
    // Two ran at once; the four that arrived meanwhile went together when the first ended.
    expect(c.statements()).toBe(3);
    const stage = (await a.get(`/jobs/${job.id}/stages`)).body.items[0];
    expect([stage.status, stage.summary.completed, stage.summary.inProgress, stage.summary.pending]).toEqual(['IN_PROGRESS', 12, 0, 1]);
    // Each task stored its own request's result, and its attempt once.
    for (const [n, r] of requests.entries()) expect((await a.get(`/tasks/${r[1]!.taskId}`)).body.result).toEqual({ n });
    const attempts = ((await a.get(`/jobs/${job.id}/history?limit=1000`)).body.items as { kind: string }[]).filter((e) => e.kind === 'attempt');
    expect(attempts).toHaveLength(12);
  });

  it('answers a stale lease, a repeat and a conflicting repeat in a combined batch as it would alone', async () => {
    const { items } = await leased('combine-fence', 4, 4);
    const [t1, t2, t3, t4] = items as [(typeof items)[number], (typeof items)[number], (typeof items)[number], (typeof items)[number]];
    const c = counted();
    const answers = await Promise.all([
      c.work.complete(null, [{ ...t1, result: 'one' }]),
      c.work.complete(null, [{ ...t2, result: 'two' }]),
      // These wait for a running batch.
      c.work.complete(null, [{ ...t3, leaseToken: t4.leaseToken }]),
      c.work.complete(null, [{ ...t1, result: 'one' }]),
      c.work.complete(null, [{ ...t1, result: 'another' }]),
      c.work.complete(null, [t4]),
    ]);
    expect(answers.map(okStatuses)).toEqual([['COMPLETED'], ['COMPLETED'], ['LEASE_LOST'], ['COMPLETED'], ['ALREADY_COMPLETED'], ['COMPLETED']]);
    expect((await a.get(`/tasks/${t1.taskId}`)).body.result).toBe('one');
    expect((await a.get(`/tasks/${t3.taskId}`)).body.status).toBe('IN_PROGRESS');
  });

  it('fails only the request the database refuses; the requests combined with it complete', async () => {
    const { job, items } = await leased('combine-refused', 4, 4);
    const c = counted();
    const settled = (p: Promise<AckResponse>) => p.then((r) => okStatuses(r), () => 'refused');
    const answers = await Promise.all([
      settled(c.work.complete(null, [items[0]!])),
      settled(c.work.complete(null, [items[1]!])),
      // Combined, then run one by one after the database refused the batch (U+0000 cannot be stored in jsonb; the
      // HTTP API answers it 400 before it gets here).
      settled(c.work.complete(null, [{ ...items[2]!, result: 'nul \u0000 here' }])),
      settled(c.work.complete(null, [items[3]!])),
    ]);
    expect(answers).toEqual([['COMPLETED'], ['COMPLETED'], 'refused', ['COMPLETED']]);
    const stage = (await a.get(`/jobs/${job.id}/stages`)).body.items[0];
    expect([stage.summary.completed, stage.summary.inProgress]).toEqual([3, 1]);
    expect((await a.get(`/tasks/${items[2]!.taskId}`)).body.status).toBe('IN_PROGRESS');
  });
});
