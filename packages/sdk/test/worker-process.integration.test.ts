// Worker processes killed for real: kill -9 mid-task (resume from checkpoint elsewhere) and SIGTERM (drain, release).
import { afterEach, describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { spawnWorker, type ChildWorker } from './helpers/child-worker.js';
import { useManager } from './helpers/manager.js';

describe.each(testStores())('worker processes (%s)', (store) => {
  const m = useManager(store);
  const children: ChildWorker[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  });

  it('resumes a checkpointed task from its checkpoint on another worker after the first process is killed with SIGKILL', async () => {
    const producer = m.producer();
    const type = m.unique('resumable');
    const job = await producer.createJob('resume', { stages: [{ type, tasks: [{ data: { steps: 12 }, backoff: { baseMs: 0, maxMs: 0 } }] }] });
    const child = spawnWorker({ JOBNIK_URL: m.url, STAGE_TYPE: type, MODE: 'checkpoint', LEASE_MS: '2000' });
    children.push(child);
    const [task] = (await producer.listTasks({ jobId: job.id })).items;
    // The manager (not the child's word) must hold a checkpoint of at least step 3.
    await waitFor(async () => (((await producer.getTask(task!.id)).checkpoint as { step?: number } | null)?.step ?? 0) >= 3, {
      timeoutMs: 20_000,
      message: `checkpoint >= 3 stored (child stderr: ${child.stderr()})`,
    });
    const saved = ((await producer.getTask(task!.id)).checkpoint as { step: number }).step;
    child.proc.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');

    const worker = m.worker({ concurrency: 1 });
    const starts: { checkpoint: unknown; attempt: number }[] = [];
    worker.handle(type, (t, ctx) => {
      starts.push({ checkpoint: t.checkpoint, attempt: ctx.attempt });
      return { resumedFrom: (t.checkpoint as { step: number }).step };
    });
    await worker.start();
    const done = await producer.waitForJob(job.id, { pollMs: 100, timeoutMs: 20_000 });
    expect(done.status).toBe('COMPLETED');
    expect(starts).toHaveLength(1);
    expect(starts[0]!.attempt).toBe(2);
    expect((starts[0]!.checkpoint as { step: number }).step).toBeGreaterThanOrEqual(saved);
    expect(((await producer.getTask(task!.id)).result as { resumedFrom: number }).resumedFrom).toBeGreaterThanOrEqual(3);
  });

  it('on SIGTERM finishes what it can within the grace, releases the rest at once, and exits 0', async () => {
    const producer = m.producer();
    const type = m.unique('drain');
    const job = await producer.createJob('drain', { stages: [{ type, tasks: [{ data: { kind: 'quick' } }, { data: { kind: 'stubborn' } }] }] });
    const { items } = await producer.listTasks({ jobId: job.id });
    const idOf = (kind: string) => items.find((t) => (t.data as { kind: string }).kind === kind)!.id;
    const [quickId, stubbornId] = [idOf('quick'), idOf('stubborn')];
    const child = spawnWorker({ JOBNIK_URL: m.url, STAGE_TYPE: type, MODE: 'drain', GRACE_MS: '3000', LEASE_MS: '60000' });
    children.push(child);
    await waitFor(() => child.events.filter((e) => e.event === 'started').length === 2, { timeoutMs: 20_000, message: `both started (${child.stderr()})` });
    await waitFor(async () => (await producer.getTask(stubbornId)).checkpoint !== null, { message: 'stubborn checkpoint stored', timeoutMs: 5_000, onTimeout: () => `events ${JSON.stringify(child.events)} stderr ${child.stderr()}` });

    const signalledAt = Date.now();
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    const took = Date.now() - signalledAt;
    expect(exit.code).toBe(0);
    expect(took).toBeLessThan(3_000 + 2_000);

    // The quick task finished during the drain, and the process still reported it.
    expect(child.events).toContainEqual({ event: 'completed', taskId: quickId });
    expect(child.events).toContainEqual({ event: 'released', taskId: stubbornId, reason: 'shutdown' });
    expect((await producer.getTask(quickId)).status).toBe('COMPLETED');
    const stubborn = await producer.getTask(stubbornId);
    expect(stubborn.status).toBe('PENDING');
    expect(stubborn.checkpoint).toEqual({ stubborn: 1 });
    expect(stubborn.attempts).toBe(0);

    // Released, not left to its 60 s lease: another worker takes it right away.
    const worker = m.worker({ concurrency: 1 });
    worker.handle(type, (t) => ({ resumed: t.checkpoint }));
    const startedAt = Date.now();
    await worker.start();
    const done = await producer.waitForJob(job.id, { pollMs: 100, timeoutMs: 10_000 });
    expect(done.status).toBe('COMPLETED');
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect((await producer.getTask(stubbornId)).result).toEqual({ resumed: { stubborn: 1 } });
  });
});
