// Scan marks: dequeues scan a stream of ready tasks from the last task this replica leased there, so that a held
// xmin horizon does not make every dequeue walk the dead entries of the tasks leased since. Marks are hints: a
// task that became ready behind one is still leased — at once when the stream has too little after the mark — and
// priorities hold across streams. (ScanMarks' own rules are unit-tested beside it.)
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadySignal } from '../src/services/ready-signal.js';
import { ScanMarks } from '../src/services/scan-marks.js';
import { WorkService } from '../src/services/work-service.js';
import { DEQUEUE_LOCKED, dequeueTasks, type ScanMark } from '../src/store/dequeue.js';
import { testStores, type TestManager } from '../src/testing.js';
import { type Api, managerWithApi } from './api.js';
import { createTasks } from './flow-helpers.js';
import { spyDb } from './spy-db.js';

interface Leased {
  id: string;
  priority: string;
  data: { i: number };
}

describe.each(testStores())('scan marks on %s', (store) => {
  let m: TestManager;
  let a: Api;
  beforeAll(async () => ({ m, a } = await managerWithApi(store)));
  afterAll(() => m.close());

  /** The mark a dequeue leaves after leasing the task with data.i = i of the stage type. */
  const markAt = async (stageType: string, i: number): Promise<ScanMark> => {
    const rows = await m.manager.db.query<{ q: number; p: number; ra: string; s: string }>(
      `SELECT t.queue_id AS q, t.priority AS p, to_char(t.run_after AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ra, t.seq::text AS s
       FROM tasks t JOIN queues qu ON qu.id = t.queue_id WHERE qu.name = $1 AND (t.data->>'i')::int = $2`,
      [stageType, i],
    );
    return { type: stageType, ...rows[0]! };
  };
  const dequeueWith = (stageType: string, max: number, marks?: ScanMark[]) =>
    dequeueTasks(m.manager.db, { stageTypes: [stageType], tenantId: null, workerId: 'marks', max, leaseMs: 30_000, cappedLocked: false, history: false, marks });
  const leaseWith = async (stageType: string, max: number, marks: ScanMark[]): Promise<Leased[]> =>
    JSON.parse((await dequeueWith(stageType, max, marks)).tasks) as Leased[];

  it('a stream with nothing after its mark is scanned from the start: tasks behind the mark are leased, in order', async () => {
    await createTasks(a, 'default', 'marks-behind', 5);
    const far = { ...(await markAt('marks-behind', 4)), ra: '2999-01-01T00:00:00.000000Z' };
    const got = await leaseWith('marks-behind', 10, [far]);
    expect(got.map((t) => t.data.i)).toEqual([0, 1, 2, 3, 4]);
  });

  it('after its mark first, then behind it: nothing is skipped for good, nothing leased twice', async () => {
    await createTasks(a, 'default', 'marks-split', 6);
    const mark = await markAt('marks-split', 2);
    // The documented relaxation: the tasks after the mark come first …
    expect((await leaseWith('marks-split', 2, [mark])).map((t) => t.data.i)).toEqual([3, 4]);
    // … and when too few are left after it, the same dequeue fills up from behind it (a batch is in ready order).
    expect((await leaseWith('marks-split', 10, [mark])).map((t) => t.data.i)).toEqual([0, 1, 2, 5]);
    expect(await leaseWith('marks-split', 10, [mark])).toEqual([]);
  });

  it('a mark that may not look behind it (b: false) leases only after it; the tasks behind wait for a dequeue that may', async () => {
    await createTasks(a, 'default', 'marks-no-look', 5);
    const mark = await markAt('marks-no-look', 2);
    expect((await leaseWith('marks-no-look', 10, [{ ...mark, b: false }])).map((t) => t.data.i)).toEqual([3, 4]);
    const far = { ...(await markAt('marks-no-look', 4)), ra: '2999-01-01T00:00:00.000000Z' };
    expect(await leaseWith('marks-no-look', 10, [{ ...far, b: false }])).toEqual([]);
    expect((await leaseWith('marks-no-look', 10, [far])).map((t) => t.data.i)).toEqual([0, 1, 2]);
  });

  it('a dequeue that leases nothing is run again at once only for ready tasks it could take, else when the next delayed task is due', async () => {
    const type = 'marks-next-try';
    const dequeue = (marks: ScanMark[]) => dequeueWith(type, 5, marks);
    await createTasks(a, 'default', type, 3);
    const far = { ...(await markAt(type, 2)), ra: '2999-01-01T00:00:00.000000Z', b: false };
    // Ready tasks only behind a mark it may not look behind: nothing to try again for (a look will find them) — not
    // "at once", which made a long-poll retry every millisecond, each retry walking the stream from its start.
    const behind = await dequeue([far]);
    expect([behind.count, behind.nextRunAfter]).toEqual([0, null]);
    const due = new Date(Date.now() + 3_600_000);
    const job = await a.post('/jobs', { name: type, stages: [{ type, tasks: [{ data: { i: 9 }, runAfter: due.toISOString() }] }] });
    expect(job.status).toBe(201);
    expect((await dequeue([far])).nextRunAfter?.getTime()).toBe(due.getTime());
    if (m.databaseUrl) {
      // Ready tasks another dequeue has locked: try again at once (it may roll back).
      const side = new pg.Client({ connectionString: m.databaseUrl });
      await side.connect();
      try {
        await side.query('BEGIN');
        await side.query(`SELECT t.id FROM tasks t JOIN queues q ON q.id = t.queue_id WHERE q.name = $1 AND t.status = 'PENDING' FOR UPDATE`, [type]);
        const locked = await dequeue([]);
        expect(locked.count).toBe(0);
        expect(locked.nextRunAfter!.getTime()).toBeLessThanOrEqual(Date.now());
      } finally {
        await side.query('ROLLBACK');
        await side.end();
      }
    }
    expect((await leaseWith(type, 5, [])).map((t) => t.data.i)).toEqual([0, 1, 2]);
  });

  it('a higher priority behind its mark still comes before a lower priority', async () => {
    await createTasks(a, 'default', 'marks-prio', 2, 'HIGH');
    await createTasks(a, 'default', 'marks-prio', 3, 'LOW');
    const high = { ...(await markAt('marks-prio', 1)), ra: '2999-01-01T00:00:00.000000Z' };
    const got = await leaseWith('marks-prio', 3, [high]);
    expect(got.map((t) => t.priority)).toEqual(['HIGH', 'HIGH', 'LOW']);
  });

  it('the dequeue returns each stream\'s last lease as its next mark', async () => {
    await createTasks(a, 'default', 'marks-next', 4);
    const r = await dequeueWith('marks-next', 3);
    expect(r.marks).toEqual([await markAt('marks-next', 2)]);
    expect((await leaseWith('marks-next', 3, r.marks)).map((t) => t.data.i)).toEqual([3]);
  });

  it('through the API: a replica that leased past new work still hands it out (a job created after its last lease)', async () => {
    await createTasks(a, 'default', 'marks-api', 3);
    const first = (await a.post('/dequeue', { workerId: 'w', max: 3, stageTypes: ['marks-api'] })).body.tasks as Leased[];
    expect(first.map((t) => t.data.i)).toEqual([0, 1, 2]);
    await createTasks(a, 'default', 'marks-api', 2);
    const next = (await a.post('/dequeue', { workerId: 'w', max: 5, stageTypes: ['marks-api'] })).body.tasks as Leased[];
    expect(next.map((t) => t.data.i)).toEqual([0, 1]);
  });
  it("a capped queue's looks behind its mark are timed and spaced as any other: the round that serves it is part of the look", async () => {
    await createTasks(a, 'default', 'marks-capped', 6);
    expect((await a.patch('/queues/marks-capped', { maxInFlight: 100 })).status).toBe(200);
    // A clock that moves only while the round of limited queues runs: each such round takes a second, costly.
    let now = 0;
    const sent: ScanMark[][] = [];
    const timed = spyDb(m.manager.db, {
      beforeTxQuery: (sql, params) => {
        if (sql !== DEQUEUE_LOCKED) return;
        sent.push(JSON.parse(params![6] as string) as ScanMark[]);
        now += 1_000;
      },
    });
    const work = new WorkService(timed, new ReadySignal(), new ScanMarks(3_600_000, () => now), { defaultLeaseMs: 30_000, history: false });
    const take = async () => (await work.dequeue({ stageTypes: ['marks-capped'], tenantId: null, workerId: 'w', max: 1, waitMs: 0 })).count;
    expect(await take()).toBe(1); // leaves the stream's first mark
    expect(await take()).toBe(1); // may look behind it; its round took a second
    expect(await take()).toBe(1);
    expect(sent.map((marks) => marks.map((mk) => mk.b ?? true))).toEqual([[], [true], [false]]);
  });
});
