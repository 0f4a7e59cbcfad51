// WorkerClient and ProducerClient against a real manager over real HTTP, on every test store.
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { z } from 'zod';
import { NonRetryableError, TaskAbortError, type TaskEventBase } from '../src/index.js';
import { useManager } from './helpers/manager.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms)); // simulated work inside handlers only

describe.each(testStores())('worker against the manager (%s)', (store) => {
  const m = useManager(store);

  it('runs a job of 3 stages x 500 tasks to COMPLETED, 100 %, with every result right', async () => {
    const producer = m.producer();
    const [a, b, c] = [m.unique('a'), m.unique('b'), m.unique('c')];
    const tasks = Array.from({ length: 500 }, (_, n) => ({ data: { n } }));
    const job = await producer.createJob('bulk', {
      data: { owner: 'test' },
      stages: [a, b, c].map((type) => ({ type, tasks })),
    });
    const worker = m.worker({ concurrency: 16 });
    const factor: Record<string, number> = { [a]: 1, [b]: 2, [c]: 3 };
    for (const type of [a, b, c]) worker.handle(type, (task) => ({ v: (task.data as { n: number }).n * factor[type]! }));
    await worker.start();

    const seen: number[] = [];
    const done = await producer.waitForJob(job.id, { pollMs: 100, timeoutMs: 120_000, onProgress: (j) => seen.push(j.percentage) });
    expect(done.status).toBe('COMPLETED');
    expect(done.percentage).toBe(100);
    expect(seen.at(-1)).toBe(100);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));

    const stages = await producer.listStages(job.id);
    expect(stages.map((s) => [s.type, s.status, s.summary.completed])).toEqual([
      [a, 'COMPLETED', 500],
      [b, 'COMPLETED', 500],
      [c, 'COMPLETED', 500],
    ]);
    for (const stage of stages) {
      let count = 0;
      for await (const t of producer.iterateTasks({ stageId: stage.id, limit: 200 })) {
        expect(t.status).toBe('COMPLETED');
        expect(t.result).toEqual({ v: (t.data as { n: number }).n * factor[stage.type]! });
        count++;
      }
      expect(count).toBe(500);
    }
  });

  it('never runs more than `concurrency` handlers at once, across stage types', async () => {
    const producer = m.producer();
    const [x, y] = [m.unique('x'), m.unique('y')];
    const tasks = Array.from({ length: 20 }, (_, n) => ({ data: n }));
    const job = await producer.createJob('conc', { parallelStages: true, stages: [{ type: x, tasks }, { type: y, tasks }] });
    const worker = m.worker({ concurrency: 3 });
    let running = 0;
    let max = 0;
    const work = async () => {
      running++;
      max = Math.max(max, running);
      await pause(15);
      running--;
    };
    worker.handle(x, work).handle(y, work);
    await worker.start();
    const done = await producer.waitForJob(job.id, { pollMs: 100, timeoutMs: 60_000 });
    expect(done.status).toBe('COMPLETED');
    expect(max).toBe(3);
  });

  it('retries a handler that throws, then fails the task and its stage; the error is recorded', async () => {
    const producer = m.producer();
    const type = m.unique('flaky');
    const job = await producer.createJob('fails', {
      stages: [{ type, tasks: [{ data: 1, maxAttempts: 3, backoff: { baseMs: 0, maxMs: 0 } }] }],
    });
    const worker = m.worker({ concurrency: 2 });
    const attempts: number[] = [];
    const failed: { willRetry: boolean; code?: string }[] = [];
    worker.on('taskFailed', (e) => failed.push({ willRetry: e.willRetry, code: e.error.code }));
    worker.handle(type, async (_task, ctx) => {
      attempts.push(ctx.attempt);
      throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    });
    await worker.start();
    const done = await producer.waitForJob(job.id, { pollMs: 100, timeoutMs: 30_000 });
    expect(done.status).toBe('FAILED');
    expect(attempts).toEqual([1, 2, 3]);
    await waitFor(() => failed.length === 3);
    expect(failed).toEqual([
      { willRetry: true, code: 'ENOSPC' },
      { willRetry: true, code: 'ENOSPC' },
      { willRetry: false, code: 'ENOSPC' },
    ]);
    const [stage] = await producer.listStages(job.id);
    expect(stage!.status).toBe('FAILED');
    const { items } = await producer.listTasks({ jobId: job.id });
    expect(items[0]!.error).toMatchObject({ message: 'disk full', code: 'ENOSPC' });
    expect(items[0]!.attempts).toBe(3);
  });

  it('fails a task for good on NonRetryableError and on task data its schema rejects', async () => {
    const producer = m.producer();
    const [strict, fatal] = [m.unique('strict'), m.unique('fatal')];
    const job = await producer.createJob('nonretry', {
      parallelStages: true,
      stages: [
        { type: strict, failFast: false, tasks: [{ data: { n: 'not a number' }, maxAttempts: 5 }] },
        { type: fatal, failFast: false, tasks: [{ data: 1, maxAttempts: 5 }] },
      ],
    });
    const worker = m.worker();
    let strictCalls = 0;
    let fatalCalls = 0;
    worker.handle(strict, () => void strictCalls++, { schema: z.object({ n: z.number() }) });
    worker.handle(fatal, () => {
      fatalCalls++;
      throw new NonRetryableError('bad input', { code: 'BAD_INPUT' });
    });
    await worker.start();
    const done = await producer.waitForJob(job.id, { pollMs: 100, timeoutMs: 30_000 });
    expect(done.status).toBe('FAILED');
    expect(strictCalls).toBe(0);
    expect(fatalCalls).toBe(1);
    const { items } = await producer.listTasks({ jobId: job.id });
    const byType = Object.fromEntries(items.map((t) => [t.stageType, t]));
    expect(byType[strict]).toMatchObject({ status: 'FAILED', attempts: 1, error: { code: 'INVALID_TASK_DATA' } });
    expect(byType[fatal]).toMatchObject({ status: 'FAILED', attempts: 1, error: { code: 'BAD_INPUT', message: 'bad input' } });
  });

  it('aborts ctx.signal of a running task when its job is cancelled, and frees the slot', async () => {
    const producer = m.producer();
    const type = m.unique('cancel');
    const job = await producer.createJob('cancel', { stages: [{ type, tasks: [{ data: 1 }] }] });
    const worker = m.worker({ concurrency: 1 });
    let reason: unknown;
    const cancelled: TaskEventBase[] = [];
    worker.on('taskCancelled', (e) => cancelled.push(e));
    worker.handle(type, (_task, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject((reason = ctx.signal.reason)))));
    await worker.start();
    await waitFor(() => worker.inFlight === 1, { message: 'task running' });
    await producer.cancelJob(job.id);
    await waitFor(() => reason !== undefined, { timeoutMs: 5_000, message: 'handler aborted' });
    expect(reason).toBeInstanceOf(TaskAbortError);
    expect((reason as TaskAbortError).kind).toBe('cancelled');
    await waitFor(() => worker.inFlight === 0 && cancelled.length === 1);
    expect((await producer.getJob(job.id)).status).toBe('ABORTED');
  });

  it('reports a task past its timeoutMs as failed with TIMEOUT at once, though its handler ignores the signal', async () => {
    const producer = m.producer();
    const type = m.unique('timeout');
    const job = await producer.createJob('timeout', { stages: [{ type, tasks: [{ data: 1, timeoutMs: 500, maxAttempts: 1 }] }] });
    const worker = m.worker({ concurrency: 1 });
    const failed: { code?: string | undefined; willRetry: boolean; handlersRunning: number }[] = [];
    const lost: TaskEventBase[] = [];
    worker.on('taskFailed', (e) => failed.push({ code: e.error.code, willRetry: e.willRetry, handlersRunning: worker.inFlight }));
    worker.on('leaseLost', (e) => lost.push(e));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    worker.handle(type, () => held); // work that never looks at ctx.signal, and ends only when the test says so
    await worker.start();
    // Whichever ends the attempt first, the worker's timer or the manager's sweep, the worker reports a timeout.
    await waitFor(() => failed.length === 1, { timeoutMs: 10_000, message: 'taskFailed while the handler still runs' });
    release();
    // Reported while the handler still held its slot, not once it was abandoned (5 s later).
    expect(failed).toEqual([{ code: 'TIMEOUT', willRetry: false, handlersRunning: 1 }]);
    expect(lost).toEqual([]);
    const done = await producer.waitForJob(job.id, { pollMs: 50, timeoutMs: 10_000 });
    expect(done.status).toBe('FAILED');
    expect((await producer.listTasks({ jobId: job.id })).items[0]).toMatchObject({ status: 'FAILED', error: { code: 'TIMEOUT' } });
  });

  it('reports progress through heartbeats', async () => {
    const producer = m.producer();
    const type = m.unique('progress');
    const job = await producer.createJob('progress', { stages: [{ type, tasks: [{ data: 1 }] }] });
    const worker = m.worker({ concurrency: 1, heartbeatIntervalMs: 100 });
    let finish: () => void = () => undefined;
    worker.handle(type, async (_t, ctx) => {
      await ctx.progress(0.5);
      await new Promise<void>((resolve) => (finish = resolve));
    });
    await worker.start();
    const [task] = (await producer.listTasks({ jobId: job.id })).items;
    await waitFor(async () => (await producer.getTask(task!.id)).progress === 0.5, { message: 'progress stored' });
    finish();
    expect((await producer.waitForJob(job.id, { pollMs: 50, timeoutMs: 10_000 })).status).toBe('COMPLETED');
  });

  it('drops the result of a task whose lease expired and went to another worker, reporting leaseLost', async () => {
    const producer = m.producer();
    const type = m.unique('lost');
    const job = await producer.createJob('lost', { stages: [{ type, tasks: [{ data: 1, backoff: { baseMs: 0, maxMs: 0 } }] }] });
    // A worker whose heartbeats come far too late for its 1 s lease.
    const slow = m.worker({ concurrency: 1, leaseMs: 1_000, heartbeatIntervalMs: 60_000 });
    const lost: TaskEventBase[] = [];
    const slowCompleted: TaskEventBase[] = [];
    slow.on('leaseLost', (e) => lost.push(e));
    slow.on('taskCompleted', (e) => slowCompleted.push(e));
    let release: () => void = () => undefined;
    slow.handle(type, async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return { by: 'slow' };
    });
    await slow.start();
    await waitFor(() => slow.inFlight === 1, { message: 'slow worker holds the task' });
    const fast = m.worker({ concurrency: 1 });
    fast.handle(type, () => ({ by: 'fast' }));
    await fast.start();
    const done = await producer.waitForJob(job.id, { pollMs: 50, timeoutMs: 15_000 });
    expect(done.status).toBe('COMPLETED');
    release();
    await waitFor(() => lost.length === 1, { message: 'leaseLost reported' });
    expect(slowCompleted).toEqual([]);
    const [task] = (await producer.listTasks({ jobId: job.id })).items;
    expect(task!.result).toEqual({ by: 'fast' });
  });

  it('releases a suspended task with its checkpoint; after resume the next attempt starts from it', async () => {
    const producer = m.producer();
    const type = m.unique('suspend');
    const job = await producer.createJob('suspend', { stages: [{ type, tasks: [{ data: 10 }] }] });
    const worker = m.worker({ concurrency: 1 });
    const starts: unknown[] = [];
    const released: string[] = [];
    worker.on('taskReleased', (e) => released.push(e.reason));
    worker.handle(type, async (task, ctx) => {
      starts.push(task.checkpoint);
      let step = (task.checkpoint as { step: number } | null)?.step ?? 0;
      while (step < 10) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        step++;
        await ctx.checkpoint({ step });
        if (step === 3 && starts.length === 1) {
          await new Promise((resolve) => (ctx.signal.aborted ? resolve(null) : ctx.signal.addEventListener('abort', resolve)));
          throw ctx.signal.reason;
        }
      }
      return { finishedFrom: (task.checkpoint as { step: number } | null)?.step ?? 0 };
    });
    await worker.start();
    await waitFor(async () => ((await producer.listTasks({ jobId: job.id })).items[0]?.checkpoint as { step?: number } | null)?.step === 3, {
      message: 'checkpoint 3 stored',
    });
    await producer.suspendJob(job.id);
    await waitFor(() => released.length === 1, { timeoutMs: 5_000, message: 'released' });
    expect(released).toEqual(['suspended']);
    await producer.resumeJob(job.id);
    const done = await producer.waitForJob(job.id, { pollMs: 100, timeoutMs: 20_000 });
    expect(done.status).toBe('COMPLETED');
    expect(starts).toEqual([null, { step: 3 }]);
    const { items } = await producer.listTasks({ jobId: job.id });
    expect(items[0]!.result).toEqual({ finishedFrom: 3 });
  });
});
