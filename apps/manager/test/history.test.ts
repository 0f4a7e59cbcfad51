// History over real HTTP on both stores: a job driven through a retry, a lease loss, suspend/resume and
// cancel leaves exactly the expected transitions and attempts, in order, each with who caused it; the task
// shows its attempts; history.enabled=false records nothing; retention prunes the history with its job.
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { waitFor } from './api.js';
import { useManager } from './fixtures.js';

const ADMIN = 'history-admin-key';

describe.each(testStores())('history on %s', (store) => {
  const t = useManager(store, { auth: { mode: 'apiKey', adminKey: ADMIN }, tasks: { sweepIntervalMs: 100 } });

  async function key(name: string, role: string): Promise<Record<string, string>> {
    const r = await t.a.post('/api-keys', { tenantId: 'default', role, name }, { 'x-api-key': ADMIN });
    expect(r.status).toBe(201);
    return { 'x-api-key': r.body.key };
  }

  const as = (h: Record<string, string>) => ({
    get: (p: string) => t.a.raw('GET', p, undefined, h),
    post: (p: string, b?: unknown) => t.a.raw('POST', p, b, h),
  });

  it('retries, a lost lease, suspend/resume and cancel: every entry in order, with its actor', async () => {
    const ops = as(await key('ops', 'producer'));
    const worker = as(await key('render-fleet', 'worker'));
    const job = (
      await ops.post('/jobs', {
        name: 'audited',
        stages: [{ type: 'hist-render', tasks: [{ data: 1, maxAttempts: 5, backoff: { baseMs: 0, maxMs: 0, jitter: 0 } }] }],
      })
    ).body;
    const stageId = job.stages[0].id;
    const lease = async (workerId: string, leaseMs = 30_000) => {
      const d = await worker.post('/dequeue', { workerId, max: 1, stageTypes: ['hist-render'], leaseMs });
      expect(d.body.tasks).toHaveLength(1);
      return d.body.tasks[0];
    };

    // Attempt 1 fails (retryable) and goes back to PENDING at once.
    const a1 = await lease('w1');
    expect((await worker.post('/tasks/fail', { items: [{ taskId: a1.id, leaseToken: a1.leaseToken, error: { message: 'boom', code: 'E1' } }] })).body.items[0]).toMatchObject({ ok: true, status: 'PENDING' });
    // Attempt 2's worker stops heartbeating: the sweeper takes the lease back; the late ack is refused.
    const a2 = await lease('w2', 1000);
    await waitFor(() => ops.get(`/tasks/${a2.id}`), (r) => r.body.status === 'PENDING');
    expect((await worker.post('/tasks/complete', { items: [{ taskId: a2.id, leaseToken: a2.leaseToken }] })).body.items[0]).toMatchObject({ ok: false, code: 'LEASE_LOST' });
    // Attempt 3 runs while the job is suspended (the worker then releases it), resumed, then cancelled while attempt 3 runs again.
    const a3 = await lease('w3');
    expect((await ops.post(`/jobs/${job.id}/suspend`)).body.status).toBe('PAUSED');
    expect((await worker.post('/tasks/release', { items: [{ taskId: a3.id, leaseToken: a3.leaseToken, checkpoint: { page: 7 } }] })).body.items[0]).toMatchObject({ ok: true, status: 'PAUSED' });
    expect((await ops.post(`/jobs/${job.id}/resume`)).body.status).toBe('IN_PROGRESS');
    const a4 = await lease('w4');
    expect(a4.attempts).toBe(3);
    expect((await ops.post(`/jobs/${job.id}/cancel`)).body.status).toBe('ABORTED');

    // Read it back in small pages: the cursor walks the whole history once, in order.
    const entries: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (await ops.get(`/jobs/${job.id}/history?limit=4${cursor ? `&cursor=${cursor}` : ''}`)).body;
      entries.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const seen = entries.map((e) => [e.kind, e.kind === 'attempt' ? `#${e.attempt.number} ${e.attempt.outcome}` : e.from, e.to, e.actor]);
    expect(seen).toEqual([
      ['job', null, 'PENDING', 'key:ops'],
      ['job', 'PENDING', 'IN_PROGRESS', 'worker:w1'],
      ['stage', 'PENDING', 'IN_PROGRESS', 'worker:w1'],
      ['attempt', '#1 FAILED', 'PENDING', 'worker:w1'],
      ['attempt', '#2 LEASE_EXPIRED', 'PENDING', 'sweeper'],
      ['attempt', '#3 SUSPENDED', 'PAUSED', 'key:ops'],
      ['stage', 'IN_PROGRESS', 'PAUSED', 'key:ops'],
      ['job', 'IN_PROGRESS', 'PAUSED', 'key:ops'],
      ['stage', 'PAUSED', 'IN_PROGRESS', 'key:ops'],
      ['job', 'PAUSED', 'IN_PROGRESS', 'key:ops'],
      ['attempt', '#3 ABORTED', 'ABORTED', 'key:ops'],
      ['stage', 'IN_PROGRESS', 'ABORTED', 'key:ops'],
      ['job', 'IN_PROGRESS', 'ABORTED', 'key:ops'],
    ]);
    const seqs = entries.map((e) => e.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(entries.filter((e) => e.kind === 'stage').every((e) => e.stageId === stageId)).toBe(true);
    expect(entries.find((e) => e.kind === 'attempt')).toMatchObject({ taskId: a1.id, attempt: { workerId: 'w1', error: { message: 'boom', code: 'E1' } } });

    // The task lists its four attempts: who ran each, how it ended, and only the failed one carries an error.
    const task = (await ops.get(`/tasks/${a1.id}`)).body;
    expect(task.attemptHistory.map((a: any) => [a.number, a.workerId, a.outcome, a.error?.code ?? a.error?.message ?? null])).toEqual([
      [1, 'w1', 'FAILED', 'E1'],
      [2, 'w2', 'LEASE_EXPIRED', 'LEASE_EXPIRED'],
      [3, 'w3', 'SUSPENDED', null],
      [3, 'w4', 'ABORTED', null],
    ]);
    for (const a of task.attemptHistory) {
      expect(a.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(a.leaseEndedAt)).toBeGreaterThanOrEqual(Date.parse(a.leaseStartedAt));
    }
  });

  it('a running attempt shows as RUNNING; a completion is recorded with its worker; other tenants get 404', async () => {
    const job = (await t.a.post('/jobs', { name: 'run', stages: [{ type: 'hist-run', tasks: [{}] }] }, { 'x-api-key': ADMIN })).body;
    const d = (await t.a.post('/dequeue', { workerId: 'wr', max: 1, stageTypes: ['hist-run'] }, { 'x-api-key': ADMIN })).body;
    const running = (await t.a.raw('GET', `/tasks/${d.tasks[0].id}`, undefined, { 'x-api-key': ADMIN })).body;
    expect(running.attemptHistory).toEqual([expect.objectContaining({ number: 1, workerId: 'wr', outcome: 'RUNNING', leaseEndedAt: null })]);
    await t.a.post('/tasks/complete', { items: [{ taskId: d.tasks[0].id, leaseToken: d.tasks[0].leaseToken }] }, { 'x-api-key': ADMIN });
    const h = (await t.a.raw('GET', `/jobs/${job.id}/history`, undefined, { 'x-api-key': ADMIN })).body.items;
    expect(h.map((e: any) => [e.kind, e.to, e.actor])).toEqual([
      ['job', 'PENDING', 'key:bootstrap-admin'],
      ['job', 'IN_PROGRESS', 'worker:wr'],
      ['stage', 'IN_PROGRESS', 'worker:wr'],
      ['attempt', 'COMPLETED', 'worker:wr'],
      ['stage', 'COMPLETED', 'worker:wr'],
      ['job', 'COMPLETED', 'worker:wr'],
    ]);
    const other = await t.a.post('/api-keys', { tenantId: 'other', role: 'producer', name: 'other' }, { 'x-api-key': ADMIN });
    expect((await t.a.raw('GET', `/jobs/${job.id}/history`, undefined, { 'x-api-key': other.body.key })).status).toBe(404);
  });
});

describe.each(testStores())('history switched off on %s', (store) => {
  const t = useManager(store, { history: { enabled: false } });

  it('records nothing, and everything else works as before', async () => {
    const job = (await t.a.post('/jobs', { name: 'quiet', stages: [{ type: 'hist-off', tasks: [{}] }] })).body;
    const d = (await t.a.post('/dequeue', { workerId: 'q', max: 1, stageTypes: ['hist-off'] })).body;
    await t.a.post('/tasks/complete', { items: [{ taskId: d.tasks[0].id, leaseToken: d.tasks[0].leaseToken }] });
    expect((await t.a.get(`/jobs/${job.id}`)).body.status).toBe('COMPLETED');
    expect((await t.a.get(`/jobs/${job.id}/history`)).body).toEqual({ items: [], nextCursor: null });
  });
});

describe.each(testStores())('history retention on %s', (store) => {
  const t = useManager(store, { retention: { intervalMs: 100, batchSize: 7 } });

  it('goes with its job when retention deletes it', async () => {
    const job = (await t.a.post('/jobs', { name: 'short-lived', stages: [{ type: 'hist-ret', tasks: Array.from({ length: 20 }, () => ({})) }] })).body;
    const d = (await t.a.post('/dequeue', { workerId: 'r', max: 20, stageTypes: ['hist-ret'] })).body;
    await t.a.post('/tasks/complete', { items: d.tasks.map((x: any) => ({ taskId: x.id, leaseToken: x.leaseToken })) });
    expect((await t.a.get(`/jobs/${job.id}/history?limit=1000`)).body.items).toHaveLength(25); // created, started (job, stage), 20 attempts, completed (stage, job)
    // Expire it now: retention deletes the job, then its history in batches.
    expect((await t.a.patch(`/jobs/${job.id}`, { expiresAt: new Date(Date.now() - 1000).toISOString() })).status).toBe(200);
    await waitFor(() => t.a.get(`/jobs/${job.id}`), (r) => r.status === 404);
    const left = () =>
      t.m.manager.db.query<{ n: number }>(
        'SELECT ((SELECT count(*) FROM job_history WHERE job_id = $1) + (SELECT count(*) FROM task_attempts WHERE job_id = $1))::int AS n',
        [job.id],
      );
    await waitFor(left, (r) => r[0]!.n === 0);
  });
});
