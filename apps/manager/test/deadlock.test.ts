// PostgreSQL breaks a deadlock by rolling one statement back (40P01). The manager runs such a statement
// again instead of answering 500: here a side transaction and a dequeue lock a stage and a task in opposite
// orders, PostgreSQL aborts the dequeue (its deadlock_timeout is the shorter), and the worker still gets its task.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestManager, testStores, type TestManager } from '../src/testing.js';
import { api, waitFor, type Api } from './api.js';

describe.runIf(testStores().includes('postgres'))('deadlocks on PostgreSQL', () => {
  let m: TestManager;
  let http: Api;
  let side: pg.Client;
  let observer: pg.Client;

  beforeAll(async () => {
    m = await startTestManager({ store: 'postgres' });
    http = api(m.url);
    side = new pg.Client({ connectionString: m.databaseUrl! });
    await side.connect();
    observer = new pg.Client({ connectionString: m.databaseUrl! });
    await observer.connect();
  });
  afterAll(async () => {
    await side?.end();
    await observer?.end();
    await m?.close();
  });

  const retries = async () => Number(/^jobnik_db_conflict_retries_total\{sqlstate="40P01"\} (\d+)/m.exec((await http.get<string>('/metrics')).body)?.[1] ?? 0);

  it('a dequeue chosen as the deadlock victim is run again and leases the task; the retry is counted', async () => {
    const job = (await http.post('/jobs', { name: 'deadlock', stages: [{ type: 'dl', tasks: [{ data: 1 }] }] })).body;
    const stageId = job.stages[0].id;
    const taskId = (await http.get(`/stages/${stageId}/tasks`)).body.items[0].id;
    const before = await retries();

    // The side transaction holds the stage row; the dequeue locks the task, then waits for the stage (its roll-up).
    await side.query('BEGIN');
    await side.query(`SET LOCAL deadlock_timeout = '30s'`);
    await side.query('SELECT id FROM stages WHERE id = $1 FOR UPDATE', [stageId]);
    const dequeue = http.post('/dequeue', { workerId: 'w', max: 1, stageTypes: ['dl'], waitMs: 20_000 });
    await waitFor(
      async () => (await observer.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'jobnik-manager' AND wait_event_type = 'Lock'`)).rowCount,
      (n) => n === 1,
    );
    // Now the side transaction wants the task the dequeue holds: a cycle. The dequeue's backend detects it first.
    const sideWaits = side.query('SELECT id FROM tasks WHERE id = $1 FOR UPDATE', [taskId]);
    await sideWaits;
    await side.query('COMMIT');
    // The retried dequeue may have run while the side still held the task (it skips locked rows) and be parked in
    // its long-poll: a queue update wakes parked polls, as a new task would.
    await http.patch('/queues/dl', { paused: false });

    const res = await dequeue;
    expect(res.status).toBe(200);
    expect(res.body.tasks.map((t: { id: string }) => t.id)).toEqual([taskId]);
    expect(await retries()).toBeGreaterThan(before);
  });
});
