// The lost-task sweeper reads running tasks by lease expiry: a lease never outlives its task's timeout, regular
// passes start at a watermark (a held xmin horizon leaves them no dead entries to walk), and a full pass still
// finds what expired behind it.
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { useManager } from './fixtures.js';

describe.each(testStores())('sweeper on %s', (store) => {
  // The background loop stays out of the way: these tests drive the passes.
  const f = useManager(store, { tasks: { sweepIntervalMs: 3_600_000 } });

  const leaseOne = async (type: string, task: Record<string, unknown>, leaseMs: number) => {
    await f.a.post('/jobs', { name: 'sweep', stages: [{ type, tasks: [task] }] });
    const before = Date.now();
    const t = (await f.a.post('/dequeue', { workerId: 'w', max: 1, stageTypes: [type], leaseMs })).body.tasks[0];
    return { t, before };
  };

  it("a lease ends no later than the task's timeout, and a heartbeat does not extend it past it", async () => {
    const { t, before } = await leaseOne('sweep-cap', { timeoutMs: 5_000 }, 60_000);
    expect(Date.parse(t.leaseExpiresAt) - before).toBeLessThan(6_000);
    const hb = await f.a.post('/workers/w/heartbeat', { tasks: [{ taskId: t.id, leaseToken: t.leaseToken }], leaseMs: 60_000 });
    expect(hb.status).toBe(200);
    const row = (await f.m.manager.db.query<{ ms: number }>(`SELECT extract(epoch FROM lease_expires_at - started_at) * 1000 AS ms FROM tasks WHERE id = $1`, [t.id]))[0]!;
    expect(Number(row.ms)).toBeLessThanOrEqual(5_000);
  });

  it('a watermarked pass skips a lease that expired before its watermark; the next full pass takes it back', async () => {
    const { t } = await leaseOne('sweep-behind', {}, 60_000);
    await f.m.manager.sweeper.sweepAll(); // sets the watermark: a few seconds plus two sweep intervals (here 2 h) before now
    await f.m.manager.db.query(`UPDATE tasks SET lease_expires_at = now() - interval '1 day' WHERE id = $1`, [t.id]);
    expect((await f.m.manager.sweeper.sweepAll(false)).retried).toBe(0);
    expect((await f.a.get(`/tasks/${t.id}`)).body.status).toBe('IN_PROGRESS');
    expect((await f.m.manager.sweeper.sweepAll()).retried).toBe(1);
    expect((await f.a.get(`/tasks/${t.id}`)).body).toMatchObject({ status: 'PENDING', error: { code: 'LEASE_EXPIRED' } });
  });

  it('a watermarked pass takes back a lease that expired after the watermark, and a timeout as TIMEOUT', async () => {
    await f.m.manager.sweeper.sweepAll();
    const lost = await leaseOne('sweep-lost', {}, 60_000);
    const slow = await leaseOne('sweep-slow', { timeoutMs: 60_000 }, 60_000);
    // Both deadlines pass now (moved, not waited for): the lease, and the timeout counted from started_at.
    await f.m.manager.db.query(`UPDATE tasks SET lease_expires_at = now() - interval '1 millisecond' WHERE id = $1`, [lost.t.id]);
    await f.m.manager.db.query(
      `UPDATE tasks SET started_at = now() - interval '61 seconds', lease_expires_at = now() - interval '1 millisecond' WHERE id = $1`,
      [slow.t.id],
    );
    const r = await f.m.manager.sweeper.sweepAll(false);
    expect(r).toMatchObject({ retried: 2, timedOut: 1 });
    expect((await f.a.get(`/tasks/${lost.t.id}`)).body.error).toMatchObject({ code: 'LEASE_EXPIRED' });
    expect((await f.a.get(`/tasks/${slow.t.id}`)).body.error).toMatchObject({ code: 'TIMEOUT' });
  });
});
