// The worker hot path over real HTTP on both stores: priority order, exactly-once leasing under
// concurrency, push wake-ups, fencing, lost-task recovery, backoff, failure roll-up, cancel/suspend/resume, caps.
import { DequeueResponse } from '@jobnik/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStores, type TestManager } from '../src/testing.js';
import { type Api, drain, managerWithApi, tasksOf, waitFor } from './api.js';
import { metric } from './flow-helpers.js';

describe.each(testStores())('hot path on %s', (store) => {
  let m: TestManager;
  let a: Api;
  beforeAll(async () => ({ m, a } = await managerWithApi(store, { tasks: { sweepIntervalMs: 100 } })));
  afterAll(() => m.close());

  const job = async (type: string, n: number, extra: Record<string, unknown> = {}, stageExtra: Record<string, unknown> = {}) =>
    (await a.post('/jobs', { name: `j-${type}`, ...extra, stages: [{ type, tasks: tasksOf(n), ...stageExtra }] })).body;
  const dq = async (type: string, max = 1, extra: Record<string, unknown> = {}) =>
    (await a.post('/dequeue', { workerId: 'w1', max, stageTypes: [type], ...extra })).body;

  it('hands out by priority, then first-ready first', async () => {
    await job('prio', 2, { priority: 'LOW', data: 'low' });
    await job('prio', 2, { priority: 'VERY_HIGH', data: 'top' });
    await job('prio', 2, { priority: 'MEDIUM', data: 'mid' });
    const d = await dq('prio', 6);
    const byJob = new Map(d.jobs.map((j: any) => [j.id, j.data]));
    expect(d.tasks.map((t: any) => byJob.get(t.jobId))).toEqual(['top', 'top', 'mid', 'mid', 'low', 'low']);
    expect(d.tasks.map((t: any) => t.data.i)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(d.stages).toHaveLength(3);
    expect(d.tasks[0]).toMatchObject({ attempts: 1, leaseToken: expect.any(String), stageType: 'prio', priority: 'VERY_HIGH' });
  });

  it('answers a dequeue in the contract\'s wire format (priority names, RFC 3339 lease expiry, nulls kept)', async () => {
    const j = await job('wire', 1, { priority: 'HIGH', data: { n: 1 }, userMetadata: { team: 'maps' } }, { data: ['s'], userMetadata: { k: 'v' } });
    const before = Date.now();
    const d = await dq('wire', 5, { leaseMs: 60_000 });
    expect(DequeueResponse.strict().safeParse(d).success).toBe(true);
    const [t] = d.tasks;
    expect(t).toMatchObject({ jobId: j.id, stageId: j.stages[0].id, stageType: 'wire', priority: 'HIGH', checkpoint: null, attempts: 1, data: { i: 0 } });
    expect(t.leaseExpiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(t.leaseExpiresAt) - before).toBeGreaterThan(55_000);
    expect(Date.parse(t.leaseExpiresAt) - before).toBeLessThan(65_000);
    expect(d.jobs).toEqual([{ id: j.id, tenantId: j.tenantId, name: 'j-wire', priority: 'HIGH', data: { n: 1 }, userMetadata: { team: 'maps' }, traceparent: null, tracestate: null }]);
    expect(d.stages).toEqual([{ id: j.stages[0].id, jobId: j.id, order: 0, type: 'wire', data: ['s'], userMetadata: { k: 'v' } }]);
    expect(await dq('wire', 5)).toEqual({ tasks: [], jobs: [], stages: [] });
  });

  it('never hands one task to two of 8 concurrent dequeuers (10,000 tasks)', async () => {
    const j = (await a.post('/jobs', { name: 'conc', stages: [{ type: 'conc', tasks: tasksOf(10_000) }] })).body;
    const seen = new Map<string, string>();
    const dup: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (;;) {
          const d = (await a.post('/dequeue', { workerId: `w${w}`, max: 100, stageTypes: ['conc'] })).body;
          if (d.tasks.length === 0) return;
          for (const t of d.tasks) {
            if (seen.has(t.id)) dup.push(t.id);
            seen.set(t.id, `w${w}`);
          }
          const c = (await a.post('/tasks/complete', { items: d.tasks.map((t: any) => ({ taskId: t.id, leaseToken: t.leaseToken })) })).body;
          expect(c.items.every((i: any) => i.ok)).toBe(true);
        }
      }),
    );
    expect(dup).toEqual([]);
    expect(seen.size).toBe(10_000);
    const done = (await a.get(`/jobs/${j.id}`)).body;
    expect(done).toMatchObject({ status: 'COMPLETED', summary: { completed: 10_000, total: 10_000 } });
  });

  it('a parked long-poll is woken by the creation of a task, long before its waitMs', async () => {
    const waiting = () => metric(a, 'jobnik_long_polls_waiting');
    const before = await waiting();
    const poll = a.post('/dequeue', { workerId: 'lp', max: 1, waitMs: 30_000, stageTypes: ['lp'] });
    // The poll is parked (the manager counts it) before the task exists, so only the creation's wake-up can answer it.
    await waitFor(waiting, (n) => n > before);
    const created = await a.post('/jobs', { name: 'lp', stages: [{ type: 'lp', tasks: tasksOf(1) }] });
    const createdAt = Date.now();
    const res = await poll;
    expect(created.status).toBe(201);
    expect(res.body.tasks).toHaveLength(1);
    expect(res.body.tasks[0].jobId).toBe(created.body.id);
    // Woken, not timed out (bench:pickup measures how fast: p50 0.2 ms).
    expect(Date.now() - createdAt).toBeLessThan(15_000);
  });

  it('a long-poll with nothing to do returns empty after waitMs', async () => {
    const t0 = Date.now();
    const res = await a.post('/dequeue', { workerId: 'lp', max: 1, waitMs: 300, stageTypes: ['nothing-here'] });
    expect(res.body.tasks).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('a stale lease token gets LEASE_LOST and changes nothing', async () => {
    await job('fence', 1);
    const first = (await dq('fence', 1, { leaseMs: 1000 })).tasks[0];
    // The lease expires, the sweeper returns the task, another worker takes it.
    const second = await waitFor(() => dq('fence', 1), (d) => d.tasks.length === 1, { timeoutMs: 15_000, everyMs: 100 });
    const t = second.tasks[0];
    expect(t.id).toBe(first.id);
    expect(t.leaseToken).not.toBe(first.leaseToken);
    expect(t.attempts).toBe(2);
    const stale = (await a.post('/tasks/complete', { items: [{ taskId: first.id, leaseToken: first.leaseToken, result: 'stale' }, { taskId: t.id, leaseToken: t.leaseToken, result: 'fresh' }] })).body;
    expect(stale.items[0]).toMatchObject({ ok: false, code: 'LEASE_LOST' });
    expect(stale.items[1]).toMatchObject({ ok: true, status: 'COMPLETED' });
    const task = (await a.get(`/tasks/${t.id}`)).body;
    expect(task).toMatchObject({ status: 'COMPLETED', result: 'fresh' });
    const staleFail = (await a.post('/tasks/fail', { items: [{ taskId: first.id, leaseToken: first.leaseToken, error: { message: 'late' } }] })).body;
    expect(staleFail.items[0]).toMatchObject({ ok: false, code: 'LEASE_LOST' });
    expect((await a.get(`/tasks/${t.id}`)).body.status).toBe('COMPLETED');
    // A repeated complete with the right token (its first answer lost) is answered ok, recorded once;
    // one with another result is not stored and says so.
    expect((await a.post('/tasks/complete', { items: [{ taskId: t.id, leaseToken: t.leaseToken, result: 'fresh' }] })).body.items[0].ok).toBe(true);
    expect((await a.post('/tasks/complete', { items: [{ taskId: t.id, leaseToken: t.leaseToken, result: 'again' }] })).body.items[0]).toMatchObject({ ok: false, code: 'ALREADY_COMPLETED' });
    expect((await a.get(`/tasks/${t.id}`)).body.result).toBe('fresh');
  });

  it('gives every lease its own token: one task\'s token does not fence another task of the same batch', async () => {
    await job('tokens', 20);
    const d = await dq('tokens', 20);
    expect(d.tasks).toHaveLength(20);
    const tokens = d.tasks.map((t: any) => t.leaseToken);
    expect(new Set(tokens).size).toBe(20);
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const [t0, t1] = d.tasks;
    const crossed = (await a.post('/tasks/complete', { items: [{ taskId: t1.id, leaseToken: t0.leaseToken }] })).body;
    expect(crossed.items[0]).toMatchObject({ ok: false, code: 'LEASE_LOST' });
    expect((await a.get(`/tasks/${t1.id}`)).body.status).toBe('IN_PROGRESS');
    // The next batch's tokens share nothing with this one's.
    await job('tokens', 1);
    const next = (await dq('tokens', 1)).tasks[0];
    expect(next.leaseToken.slice(0, 23)).not.toBe(t0.leaseToken.slice(0, 23));
  });

  it('a task whose worker stops heartbeating is handed out again and completes', async () => {
    const j = await job('lost', 1);
    const t = (await dq('lost', 1, { leaseMs: 1000 })).tasks[0];
    const again = await waitFor(() => dq('lost', 1), (d) => d.tasks.length === 1, { timeoutMs: 15_000, everyMs: 100 });
    expect(again.tasks[0].id).toBe(t.id);
    const lost = (await a.get(`/tasks/${t.id}`)).body;
    expect(lost.error).toMatchObject({ code: 'LEASE_EXPIRED' });
    await a.post('/tasks/complete', { items: [{ taskId: t.id, leaseToken: again.tasks[0].leaseToken }] });
    expect((await a.get(`/jobs/${j.id}`)).body.status).toBe('COMPLETED');
  });

  it('retries follow the configured backoff (checked on runAfter)', async () => {
    await a.post('/jobs', { name: 'bo', stages: [{ type: 'bo', tasks: [{ maxAttempts: 3, backoff: { baseMs: 60_000, maxMs: 100_000, jitter: 0 } }] }] });
    const t = (await dq('bo')).tasks[0];
    const before = Date.now();
    const f1 = (await a.post('/tasks/fail', { items: [{ taskId: t.id, leaseToken: t.leaseToken, error: { message: 'boom', code: 'E1' } }] })).body.items[0];
    expect(f1).toMatchObject({ ok: true, status: 'PENDING' });
    const delay1 = Date.parse(f1.runAfter) - before;
    expect(delay1).toBeGreaterThan(59_000);
    expect(delay1).toBeLessThan(61_500);
    // Not handed out before runAfter.
    expect((await dq('bo')).tasks).toHaveLength(0);
    // Make it due, take attempt 2, fail again: the delay doubles (capped at maxMs).
    await m.manager.db.query(`UPDATE tasks SET run_after = now() WHERE id = $1`, [t.id]);
    const t2 = (await dq('bo')).tasks[0];
    expect(t2.attempts).toBe(2);
    const before2 = Date.now();
    const f2 = (await a.post('/tasks/fail', { items: [{ taskId: t.id, leaseToken: t2.leaseToken, error: { message: 'boom' } }] })).body.items[0];
    const delay2 = Date.parse(f2.runAfter) - before2;
    expect(delay2).toBeGreaterThan(99_000);
    expect(delay2).toBeLessThan(101_500);
    const task = (await a.get(`/tasks/${t.id}`)).body;
    expect(task).toMatchObject({ status: 'PENDING', attempts: 2, error: { message: 'boom' } });
  });

  it('exhausting attempts fails the task, its stage (fail fast) and its job; other tasks are aborted', async () => {
    const j = (await a.post('/jobs', { name: 'ex', stages: [{ type: 'ex', taskDefaults: { maxAttempts: 2, backoff: { baseMs: 0, jitter: 0 } }, tasks: tasksOf(3) }, { type: 'ex2', tasks: tasksOf(1) }] })).body;
    const all = (await dq('ex', 3)).tasks;
    await a.post('/tasks/fail', { items: [{ taskId: all[0].id, leaseToken: all[0].leaseToken, error: { message: 'fail 1' } }] });
    const retry = (await dq('ex')).tasks[0];
    expect(retry).toMatchObject({ id: all[0].id, attempts: 2 });
    await a.post('/tasks/fail', { items: [{ taskId: retry.id, leaseToken: retry.leaseToken, error: { message: 'fail 2' } }] });
    const after = (await a.get(`/jobs/${j.id}?include=stages`)).body;
    expect(after.status).toBe('FAILED');
    expect(after.stages[0]).toMatchObject({ status: 'FAILED', summary: { failed: 1, aborted: 2, total: 3 } });
    expect(after.stages[1]).toMatchObject({ status: 'ABORTED', summary: { aborted: 1 } });
    // A non-retryable error fails at once.
    const j2 = await job('nr', 1, {}, { taskDefaults: { maxAttempts: 5 } });
    const t = (await dq('nr')).tasks[0];
    const f = (await a.post('/tasks/fail', { items: [{ taskId: t.id, leaseToken: t.leaseToken, error: { message: 'bad input', retryable: false } }] })).body;
    expect(f.items[0].status).toBe('FAILED');
    expect((await a.get(`/jobs/${j2.id}`)).body.status).toBe('FAILED');
  });

  it('with failFast off, every task runs and the stage fails at the end', async () => {
    const j = await job('cont', 3, {}, { failFast: false, taskDefaults: { maxAttempts: 1 } });
    const d = await dq('cont', 3);
    await a.post('/tasks/fail', { items: [{ taskId: d.tasks[0].id, leaseToken: d.tasks[0].leaseToken, error: { message: 'x' } }] });
    expect((await a.get(`/jobs/${j.id}`)).body.status).toBe('IN_PROGRESS');
    await a.post('/tasks/complete', { items: d.tasks.slice(1).map((t: any) => ({ taskId: t.id, leaseToken: t.leaseToken })) });
    const end = (await a.get(`/jobs/${j.id}?include=stages`)).body;
    expect(end.status).toBe('FAILED');
    expect(end.stages[0].summary).toMatchObject({ completed: 2, failed: 1 });
  });

  it('cancel reaches a running task through its heartbeat', async () => {
    const j = await job('cx', 2);
    const t = (await dq('cx')).tasks[0];
    const hb = async (extra: Record<string, unknown> = {}) =>
      (await a.post('/workers/cx-worker/heartbeat', { stageTypes: ['cx'], tasks: [{ taskId: t.id, leaseToken: t.leaseToken, ...extra }] })).body.tasks[0];
    expect(await hb({ progress: 0.4 })).toMatchObject({ directive: 'continue' });
    expect((await a.get(`/tasks/${t.id}`)).body.progress).toBeCloseTo(0.4);
    const cancelled = (await a.post(`/jobs/${j.id}/cancel`)).body;
    expect(cancelled).toMatchObject({ status: 'ABORTED', summary: { aborted: 2 } });
    expect(await hb()).toMatchObject({ directive: 'cancel' });
    const late = (await a.post('/tasks/complete', { items: [{ taskId: t.id, leaseToken: t.leaseToken }] })).body.items[0];
    expect(late).toMatchObject({ ok: false, code: 'TASK_NOT_RUNNING', status: 'ABORTED' });
    expect((await a.get('/workers')).body.items.map((w: any) => w.id)).toContain('cx-worker');
  });

  it('suspend reaches a running task; resume hands back its checkpoint', async () => {
    const j = await job('sr', 1);
    const t = (await dq('sr')).tasks[0];
    await a.post('/workers/sr-w/heartbeat', { tasks: [{ taskId: t.id, leaseToken: t.leaseToken, checkpoint: { done: 10 } }] });
    expect((await a.post(`/jobs/${j.id}/suspend`)).body.status).toBe('PAUSED');
    const hb = (await a.post('/workers/sr-w/heartbeat', { tasks: [{ taskId: t.id, leaseToken: t.leaseToken, checkpoint: { done: 12 } }] })).body.tasks[0];
    expect(hb.directive).toBe('suspend');
    expect((await dq('sr')).tasks).toHaveLength(0);
    expect((await a.post(`/jobs/${j.id}/resume`)).body.status).toBe('IN_PROGRESS');
    const back = (await dq('sr')).tasks[0];
    expect(back).toMatchObject({ id: t.id, checkpoint: { done: 12 }, attempts: 1 });
    await a.post('/tasks/complete', { items: [{ taskId: back.id, leaseToken: back.leaseToken }] });
    expect((await a.get(`/jobs/${j.id}`)).body.status).toBe('COMPLETED');
  });

  it('a release of a task suspended while it ran keeps it paused and stores its checkpoint', async () => {
    const j = await job('rp', 1);
    const t = (await dq('rp')).tasks[0];
    await a.post(`/jobs/${j.id}/suspend`);
    const r = (await a.post('/tasks/release', { items: [{ taskId: t.id, leaseToken: t.leaseToken, checkpoint: { page: 7 } }] })).body.items[0];
    expect(r).toMatchObject({ ok: true, status: 'PAUSED' });
    expect((await a.get(`/tasks/${t.id}`)).body).toMatchObject({ status: 'PAUSED', checkpoint: { page: 7 }, lease: null });
    await a.post(`/jobs/${j.id}/resume`);
    expect((await dq('rp')).tasks[0]).toMatchObject({ id: t.id, checkpoint: { page: 7 } });
  });

  it('release gives a task back at once without spending an attempt', async () => {
    await job('rel', 1);
    const t = (await dq('rel')).tasks[0];
    const r = (await a.post('/tasks/release', { items: [{ taskId: t.id, leaseToken: t.leaseToken, checkpoint: { at: 3 } }] })).body.items[0];
    expect(r).toMatchObject({ ok: true, status: 'PENDING' });
    expect((await dq('rel')).tasks[0]).toMatchObject({ id: t.id, attempts: 1, checkpoint: { at: 3 } });
  });

  it('delayed tasks are not handed out before runAfter, and a waiting poll picks them up when due', async () => {
    const due = new Date(Date.now() + 700).toISOString();
    await a.post('/jobs', { name: 'delay', stages: [{ type: 'delay', tasks: [{ runAfter: due }] }] });
    expect((await dq('delay')).tasks).toHaveLength(0);
    const q = (await a.get('/queues')).body.items.find((x: any) => x.name === 'delay');
    expect(q.depth).toMatchObject({ delayed: 1, ready: 0 });
    const res = (await a.post('/dequeue', { workerId: 'd', max: 1, waitMs: 5000, stageTypes: ['delay'] })).body;
    expect(res.tasks).toHaveLength(1);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(due) - 5);
  });

  it('a paused queue hands out nothing until resumed', async () => {
    await job('pq', 1);
    expect((await a.patch('/queues/pq', { paused: true })).body.paused).toBe(true);
    expect((await dq('pq')).tasks).toHaveLength(0);
    await a.patch('/queues/pq', { paused: false });
    expect((await dq('pq')).tasks).toHaveLength(1);
  });

  it('a long-poll waiting on a paused queue wakes when the queue is resumed', async () => {
    await a.patch('/queues/pqw', { paused: true });
    await job('pqw', 1);
    const parked = async () => Number(/^jobnik_long_polls_waiting (\d+)/m.exec((await a.get<string>('/metrics')).body)?.[1]);
    const before = await parked();
    let answered = false;
    const poll = a.post('/dequeue', { workerId: 'pw', max: 1, waitMs: 10_000, stageTypes: ['pqw'] }).finally(() => (answered = true));
    await waitFor(parked, (n) => n > before);
    expect(answered).toBe(false);
    const resumedAt = Date.now();
    await a.patch('/queues/pqw', { paused: false });
    expect((await poll).body.tasks).toHaveLength(1);
    expect(Date.now() - resumedAt).toBeLessThan(2_000);
  });

  it('a queue capacity of 1 is never exceeded by concurrent workers', async () => {
    await a.patch('/queues/cap', { maxInFlight: 1 });
    await job('cap', 20);
    let inFlight = 0;
    let peak = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        while (done < 20) {
          const d = (await a.post('/dequeue', { workerId: `c${w}`, max: 5, waitMs: 200, stageTypes: ['cap'] })).body;
          if (d.tasks.length === 0) continue;
          inFlight += d.tasks.length;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, 5));
          inFlight -= d.tasks.length;
          await a.post('/tasks/complete', { items: d.tasks.map((t: any) => ({ taskId: t.id, leaseToken: t.leaseToken })) });
          done += d.tasks.length;
        }
      }),
    );
    expect(peak).toBe(1);
    expect(done).toBe(20);
  });

  it('a worker can take from several stage types at once', async () => {
    await job('multi-a', 1);
    await job('multi-b', 1);
    const d = (await a.post('/dequeue', { workerId: 'm', max: 10, stageTypes: ['multi-a', 'multi-b'] })).body;
    expect(d.tasks.map((t: any) => t.stageType).sort()).toEqual(['multi-a', 'multi-b']);
    expect(await drain(a, ['multi-a', 'multi-b'])).toBe(0);
  });
});
