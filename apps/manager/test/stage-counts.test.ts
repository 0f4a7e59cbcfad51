// A stage stores one counter for its PENDING and running tasks (a lease does not touch the stage row); every read
// splits it by counting the running tasks. These tests follow the counts a user reads — the stage, the job, the /v1
// summary and /stats — through leases, a completion, a retry, a lost lease and a suspend, on both stores; and show on
// PostgreSQL that a lease no longer waits for a stage row that another transaction holds.
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { waitFor } from './api.js';
import { useManager, useManagerWithSideClients } from './fixtures.js';

interface Counts {
  pending: number;
  inProgress: number;
  completed: number;
  failed: number;
  paused: number;
}

describe.each(testStores())('task counts read from a stage whose leases do not update it (%s)', (store) => {
  const f = useManager(store, { tasks: { sweepIntervalMs: 100 } });

  async function countsEverywhere(jobId: string, stageId: string, type: string): Promise<Counts[]> {
    const pick = (s: Record<string, number>): Counts => ({ pending: s.pending!, inProgress: s.inProgress!, completed: s.completed!, failed: s.failed!, paused: s.paused! });
    const stage = (await f.a.get(`/stages/${stageId}`)).body;
    const job = (await f.a.get(`/jobs/${jobId}`)).body;
    const listed = (await f.a.get(`/jobs/${jobId}/stages`)).body;
    const stats = (await f.a.get('/stats')).body;
    const byType = stats.tasksByStageType.find((s: { stageType: string }) => s.stageType === type).counts;
    const v1 = (await f.a.get(`/v1/stages/${stageId}/summary`)).body;
    expect(v1.inProgress).toBe(stage.summary.inProgress);
    return [
      pick(stage.summary),
      pick(job.summary),
      pick((listed.items ?? listed)[0].summary),
      { pending: byType.PENDING, inProgress: byType.IN_PROGRESS, completed: byType.COMPLETED, failed: byType.FAILED, paused: byType.PAUSED },
    ];
  }

  const each = (c: Counts): Counts[] => [c, c, c, c];

  it('pending and running are told apart after leases, a completion, a retry, a lost lease and a suspend', async () => {
    const type = `counts-${store}`;
    const job = (await f.a.post('/jobs', { name: 'counts', stages: [{ type, tasks: Array.from({ length: 4 }, (_, i) => ({ data: i, maxAttempts: 3 })) }] })).body;
    const stageId = job.stages[0].id;
    expect(await countsEverywhere(job.id, stageId, type)).toEqual(each({ pending: 4, inProgress: 0, completed: 0, failed: 0, paused: 0 }));

    // Two leases of the default length, and one of a second that nobody extends (lost below).
    const leased = [
      ...(await f.a.post('/dequeue', { workerId: 'w', max: 2, stageTypes: [type] })).body.tasks,
      ...(await f.a.post('/dequeue', { workerId: 'w', max: 1, stageTypes: [type], leaseMs: 1000 })).body.tasks,
    ];
    expect(leased).toHaveLength(3);
    expect((await f.a.get(`/stages/${stageId}`)).body.status).toBe('IN_PROGRESS');
    expect(await countsEverywhere(job.id, stageId, type)).toEqual(each({ pending: 1, inProgress: 3, completed: 0, failed: 0, paused: 0 }));

    const [a, b, c] = leased;
    expect((await f.a.post('/tasks/complete', { items: [{ taskId: a.id, leaseToken: a.leaseToken, result: 1 }] })).body.items[0].ok).toBe(true);
    expect(await countsEverywhere(job.id, stageId, type)).toEqual(each({ pending: 1, inProgress: 2, completed: 1, failed: 0, paused: 0 }));

    // A retry puts the task back to PENDING (its stage row is not touched; the read still sees it pending).
    const failed = await f.a.post('/tasks/fail', { items: [{ taskId: b.id, leaseToken: b.leaseToken, error: { message: 'again' } }] });
    expect(failed.body.items[0].ok).toBe(true);
    expect(await countsEverywhere(job.id, stageId, type)).toEqual(each({ pending: 2, inProgress: 1, completed: 1, failed: 0, paused: 0 }));

    // A lost lease: the sweeper takes the task back.
    await waitFor(() => f.a.get(`/tasks/${c.id}`), (r) => r.body.status === 'PENDING');
    expect(await countsEverywhere(job.id, stageId, type)).toEqual(each({ pending: 3, inProgress: 0, completed: 1, failed: 0, paused: 0 }));

    // One running, then the job suspended: its running and pending tasks are PAUSED.
    expect((await f.a.post('/dequeue', { workerId: 'w', max: 1, stageTypes: [type] })).body.tasks).toHaveLength(1);
    expect(await countsEverywhere(job.id, stageId, type)).toEqual(each({ pending: 2, inProgress: 1, completed: 1, failed: 0, paused: 0 }));
    expect((await f.a.post(`/jobs/${job.id}/suspend`, {})).status).toBe(200);
    expect(await countsEverywhere(job.id, stageId, type)).toEqual(each({ pending: 0, inProgress: 0, completed: 1, failed: 0, paused: 3 }));
  });

  it('a job runs to COMPLETED and its stage counts end with every task completed', async () => {
    const type = `counts-done-${store}`;
    const job = (await f.a.post('/jobs', { name: 'counts', stages: [{ type, tasks: Array.from({ length: 5 }, (_, i) => ({ data: i })) }] })).body;
    for (;;) {
      const tasks = (await f.a.post('/dequeue', { workerId: 'w', max: 2, stageTypes: [type] })).body.tasks;
      if (tasks.length === 0) break;
      await f.a.post('/tasks/complete', { items: tasks.map((t: { id: string; leaseToken: string }) => ({ taskId: t.id, leaseToken: t.leaseToken })) });
    }
    const done = (await f.a.get(`/jobs/${job.id}`)).body;
    expect(done.status).toBe('COMPLETED');
    expect(done.summary).toMatchObject({ pending: 0, inProgress: 0, completed: 5, total: 5 });
  });
});

describe.runIf(testStores().includes('postgres'))('a lease in a running stage does not wait for the stage row (postgres)', () => {
  const t = useManagerWithSideClients();

  it('while another transaction holds the stage row, a worker still leases the stage’s next task', async () => {
    const job = (await t.a.post('/jobs', { name: 'row', stages: [{ type: 'row-held', tasks: [{ data: 1 }, { data: 2 }] }] })).body;
    const stageId = job.stages[0].id;
    // The first lease starts the stage (that one does update its row).
    expect((await t.a.post('/dequeue', { workerId: 'w', max: 1, stageTypes: ['row-held'] })).body.tasks).toHaveLength(1);

    await t.side.query('BEGIN');
    try {
      await t.side.query('SELECT id FROM stages WHERE id = $1 FOR UPDATE', [stageId]);
      const res = await t.a.post('/dequeue', { workerId: 'w', max: 1, stageTypes: ['row-held'] });
      expect(res.status).toBe(200);
      expect(res.body.tasks.map((x: { data: number }) => x.data)).toEqual([2]);
      // Nothing of the manager waited on a lock meanwhile.
      const waiting = await t.observer.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'jobnik-manager' AND wait_event_type = 'Lock'`);
      expect(waiting.rowCount).toBe(0);
    } finally {
      await t.side.query('ROLLBACK');
    }
    expect((await t.a.get(`/stages/${stageId}`)).body.summary).toMatchObject({ pending: 0, inProgress: 2 });
  });
});
