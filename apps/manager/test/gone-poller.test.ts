// A dequeue whose client has gone (a worker killed in its long-poll) must not leave tasks leased to nobody: they
// would wait out the whole lease. The client's going is modelled by the route's disconnect signal, aborted before
// the statement (the poll was woken after the close) and while it runs (the close arrives during the lease).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/db.js';
import { ReadySignal } from '../src/services/ready-signal.js';
import { ScanMarks } from '../src/services/scan-marks.js';
import { WorkService } from '../src/services/work-service.js';
import { testStores, type TestManager } from '../src/testing.js';
import { type Api, managerWithApi, tasksOf } from './api.js';
import { spyDb } from './spy-db.js';

describe.each(testStores())('a dequeue whose client has gone (%s)', (store) => {
  let m: TestManager;
  let a: Api;
  beforeAll(async () => ({ m, a } = await managerWithApi(store)));
  afterAll(() => m.close());

  const work = (db: Db) => new WorkService(db, new ReadySignal(), new ScanMarks(0), { defaultLeaseMs: 60_000, history: true });
  const input = (type: string) => ({ stageTypes: [type], workerId: 'gone', max: 10, waitMs: 0, tenantId: null });
  const createJob = async (type: string) => (await a.post('/jobs', { name: type, stages: [{ type, tasks: tasksOf(3) }] })).body;
  const liveDequeue = async (type: string) => (await a.post('/dequeue', { workerId: 'live', max: 10, stageTypes: [type] })).body;

  it('leases nothing when the client left before the statement', async () => {
    await createJob('gone-before');
    const left = new AbortController();
    left.abort();
    const res = await work(m.manager.db).dequeue(input('gone-before'), left.signal);
    expect(res).toEqual({ count: 0, json: '{"tasks":[],"jobs":[],"stages":[]}' });
    const d = await liveDequeue('gone-before');
    expect(d.tasks.map((t: any) => t.attempts)).toEqual([1, 1, 1]);
  });

  it('gives back at once, uncounted, what it leased while the client left', async () => {
    const job = await createJob('gone-during');
    const left = new AbortController();
    // The client's connection closes while the dequeue statement runs.
    const closingDuringDequeue = spyDb(m.manager.db, {
      afterQuery: (sql) => {
        if (typeof sql !== 'string' && sql.name === 'jobnik_dequeue') left.abort();
      },
    });
    const res = await work(closingDuringDequeue).dequeue(input('gone-during'), left.signal);
    expect(res.count).toBe(0);
    expect(left.signal.aborted).toBe(true);

    const tasks = (await a.get(`/tasks?jobId=${job.id}`)).body.items;
    expect(tasks.map((t: any) => [t.status, t.attempts])).toEqual(Array(3).fill(['PENDING', 0]));
    const d = await liveDequeue('gone-during');
    expect(d.tasks.map((t: any) => t.attempts)).toEqual([1, 1, 1]);
  });
});
