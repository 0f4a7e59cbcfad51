// Every slot blocked in ctx.checkpoint() while the manager is away: nothing but the heartbeat talks to the
// manager then, so the heartbeat must notice its return within seconds, not at the next 10 s interval.
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { useManager } from './helpers/manager.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms)); // simulated work inside handlers only

describe.each(testStores())('checkpoints across a manager outage (%s)', (store) => {
  const m = useManager(store);

  it('resumes every handler blocked in ctx.checkpoint() within 5 s of the manager coming back (default heartbeat interval)', async () => {
    const producer = m.producer();
    const type = m.unique('blocked');
    const job = await producer.createJob('blocked', { stages: [{ type, tasks: [{ data: 0 }, { data: 1 }] }] });
    // The defaults: a 30 s lease, so one heartbeat every 10 s.
    const worker = m.worker({ concurrency: 2, heartbeatIntervalMs: 10_000 });
    const errors: Error[] = [];
    worker.on('error', (e) => errors.push(e));
    const steps = [0, 0];
    let inCheckpoint = 0;
    let stopAt = Infinity;
    worker.handle(type, async (task, ctx) => {
      const i = task.data as number;
      while (steps[i]! < stopAt) {
        await pause(20);
        inCheckpoint++;
        await ctx.checkpoint({ step: steps[i]! + 1 });
        inCheckpoint--;
        steps[i]!++;
      }
      return { steps: steps[i] };
    });
    await worker.start();
    await waitFor(() => steps.every((s) => s >= 2), { message: 'both handlers checkpointing' });

    await m.manager.stopHttp();
    await waitFor(() => errors.length > 0 && inCheckpoint === 2, { timeoutMs: 15_000, message: 'a heartbeat failed and both handlers wait in checkpoint()' });
    const blocked = [...steps];

    await m.manager.startHttp();
    const back = Date.now();
    await waitFor(() => steps.every((s, i) => s > blocked[i]!), { timeoutMs: 5_000, message: 'both checkpoints stored after the manager came back' });
    const recoveredMs = Date.now() - back;
    expect(recoveredMs).toBeLessThan(5_000);
    stopAt = Math.max(...steps) + 1;
    expect((await producer.waitForJob(job.id, { pollMs: 50, timeoutMs: 10_000 })).status).toBe('COMPLETED');
  });
});
