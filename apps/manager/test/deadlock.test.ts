// PostgreSQL breaks a deadlock by rolling one statement back (40P01). The manager runs such a statement
// again instead of answering 500: here a side transaction and a dequeue lock a stage and a task in opposite
// orders, PostgreSQL aborts the dequeue (its deadlock_timeout is the shorter), and the worker still gets its task.
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { waitFor } from './api.js';
import { useManagerWithSideClients } from './fixtures.js';

describe.runIf(testStores().includes('postgres'))('deadlocks on PostgreSQL', () => {
  const t = useManagerWithSideClients();

  const retries = async () => Number(/^jobnik_db_conflict_retries_total\{sqlstate="40P01"\} (\d+)/m.exec((await t.a.get<string>('/metrics')).body)?.[1] ?? 0);

  it('a dequeue chosen as the deadlock victim is run again and leases the task; the retry is counted', async () => {
    const job = (await t.a.post('/jobs', { name: 'deadlock', stages: [{ type: 'dl', tasks: [{ data: 1 }] }] })).body;
    const stageId = job.stages[0].id;
    const taskId = (await t.a.get(`/stages/${stageId}/tasks`)).body.items[0].id;
    const before = await retries();

    // The side transaction holds the stage row; the dequeue locks the task, then waits for the stage (its roll-up).
    await t.side.query('BEGIN');
    await t.side.query(`SET LOCAL deadlock_timeout = '30s'`);
    await t.side.query('SELECT id FROM stages WHERE id = $1 FOR UPDATE', [stageId]);
    const dequeue = t.a.post('/dequeue', { workerId: 'w', max: 1, stageTypes: ['dl'], waitMs: 20_000 });
    await waitFor(
      async () => (await t.observer.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'jobnik-manager' AND wait_event_type = 'Lock'`)).rowCount,
      (n) => n === 1,
    );
    // Now the side transaction wants the task the dequeue holds: a cycle. The dequeue's backend detects it first.
    const sideWaits = t.side.query('SELECT id FROM tasks WHERE id = $1 FOR UPDATE', [taskId]);
    await sideWaits;
    await t.side.query('COMMIT');
    // The retried dequeue may have run while the side still held the task (it skips locked rows) and be parked in
    // its long-poll: a queue update wakes parked polls, as a new task would.
    await t.a.patch('/queues/dl', { paused: false });

    const res = await dequeue;
    expect(res.status).toBe(200);
    expect(res.body.tasks.map((t: { id: string }) => t.id)).toEqual([taskId]);
    expect(await retries()).toBeGreaterThan(before);
  });
});
