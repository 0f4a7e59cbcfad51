// A worker holding more leases than one heartbeat may carry (the contract's cap of 1,000 tasks) keeps
// all of them alive: the heartbeat goes out in several calls.
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { useManager } from './helpers/manager.js';

describe.each(testStores())('heartbeats of many leases (%s)', (store) => {
  const m = useManager(store);

  it('extends 1,200 leases held at once past their lease time, with no error', { timeout: 60_000 }, async () => {
    const producer = m.producer();
    const type = m.unique('many');
    const tasks = Array.from({ length: 1_200 }, (_, n) => ({ data: n }));
    const job = await producer.createJob('many', { stages: [{ type, tasks }] });
    const worker = m.worker({ concurrency: 1_200, maxDequeueBatch: 1_000, leaseMs: 4_000, heartbeatIntervalMs: 400 });
    const errors: Error[] = [];
    const lost: string[] = [];
    worker.on('error', (e) => errors.push(e));
    worker.on('leaseLost', (e) => lost.push(e.taskId));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    worker.handle(type, async () => {
      await gate;
      return null;
    });
    await worker.start();
    await waitFor(() => worker.inFlight === 1_200, { message: 'every task leased', timeoutMs: 20_000 });
    // Well past the 4 s lease and many sweeps (every 200 ms here): only heartbeats keep them alive.
    await new Promise((r) => setTimeout(r, 5_000));
    release();
    const done = await producer.waitForJob(job.id, { pollMs: 100, timeoutMs: 30_000 });
    expect(errors).toEqual([]);
    expect(lost).toEqual([]);
    expect(done.status).toBe('COMPLETED');
    expect((await producer.listStages(job.id))[0]!.summary.completed).toBe(1_200);
  });
});
