// One task's value that the manager cannot take — a result JSON cannot write, a checkpoint past the manager's body
// limit — travels in batches shared with other tasks (completions, heartbeats). It must cost its own task only: the
// other completions are stored, every lease stays extended, and the handler that made the mistake hears of it.
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { JobnikError } from '../src/index.js';
import { useManager } from './helpers/manager.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms)); // simulated work inside handlers only

describe.each(testStores())('values the manager cannot take (%s)', (store) => {
  // A small body limit, so that one task's checkpoint is refused (413) where a heartbeat of every lease is not.
  const m = useManager(store, { http: { bodyLimitBytes: 64 * 1024 } });

  it("a result JSON cannot write fails its own task for good (RESULT_NOT_JSON); the batch's other completions are stored", async () => {
    const producer = m.producer();
    const type = m.unique('poison');
    const job = await producer.createJob('poison', { stages: [{ type, failFast: false, tasks: [{ data: { bad: true } }, { data: { bad: false } }] }] });
    // Both handlers end together and a long flush puts their completions in one batch.
    const worker = m.worker({ concurrency: 2, ackFlushMs: 200 });
    const failed: { code?: string | undefined; willRetry: boolean }[] = [];
    worker.on('taskFailed', (e) => failed.push({ code: e.error.code, willRetry: e.willRetry }));
    let started = 0;
    worker.handle(type, async (task) => {
      started++;
      await waitFor(() => started === 2, { message: 'both handlers running' });
      return (task.data as { bad: boolean }).bad ? { n: 10n } : { n: 1 };
    });
    await worker.start();
    const done = await producer.waitForJob(job.id, { pollMs: 50, timeoutMs: 15_000 });
    expect(done.status).toBe('FAILED');
    const tasks = (await producer.listTasks({ jobId: job.id })).items;
    const bad = tasks.find((t) => (t.data as { bad: boolean }).bad)!;
    const good = tasks.find((t) => !(t.data as { bad: boolean }).bad)!;
    expect(good).toMatchObject({ status: 'COMPLETED', result: { n: 1 }, attempts: 1 });
    expect(bad).toMatchObject({ status: 'FAILED', attempts: 1, error: { code: 'RESULT_NOT_JSON' } });
    expect(bad.error?.message).toMatch(/BigInt/);
    expect(failed).toEqual([{ code: 'RESULT_NOT_JSON', willRetry: false }]);
  });

  it('a checkpoint the manager refuses rejects ctx.checkpoint() in its handler; no lease is lost, its own included', async () => {
    const producer = m.producer();
    const type = m.unique('big-checkpoint');
    const leaseMs = 1_500;
    const job = await producer.createJob('big-checkpoint', { stages: [{ type, tasks: [{ data: 'big' }, { data: 'small' }] }] });
    const worker = m.worker({ concurrency: 2, leaseMs, heartbeatIntervalMs: 250 });
    const lost: string[] = [];
    worker.on('leaseLost', (e) => lost.push(e.taskId));
    let refusal: unknown;
    worker.handle(type, async (task, ctx) => {
      if (task.data === 'big') {
        await ctx.checkpoint({ step: 1 });
        refusal = await ctx.checkpoint({ step: 2, blob: 'x'.repeat(100_000) }).then(() => null, (err: unknown) => err);
      }
      // Work for three lease lengths, reporting progress: only heartbeats keep both leases.
      for (let i = 1; i <= 9; i++) {
        await pause(leaseMs / 3);
        await ctx.progress(i / 9);
      }
      return task.data;
    });
    await worker.start();
    const done = await producer.waitForJob(job.id, { pollMs: 50, timeoutMs: 20_000 });
    expect(refusal).toBeInstanceOf(JobnikError);
    expect((refusal as JobnikError).status).toBe(413);
    expect(done.status).toBe('COMPLETED');
    const tasks = (await producer.listTasks({ jobId: job.id })).items;
    expect(tasks.map((t) => t.attempts)).toEqual([1, 1]);
    expect(lost).toEqual([]);
    // The refused checkpoint was never stored; the one before it was.
    expect(tasks.find((t) => t.data === 'big')?.checkpoint).toEqual({ step: 1 });
  });
});
