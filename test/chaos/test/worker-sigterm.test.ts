// A worker process SIGTERMed mid-task finishes or releases what it holds before it exits: every task it had is
// COMPLETED or PENDING again at once (lease cleared, attempt not counted), never left IN_PROGRESS for the
// lease to expire. The lease here is a minute, so only the release can explain a PENDING task.
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { stopChild } from '../src/children.js';
import { readExecutionLogs } from '../src/execution-log.js';
import { WorkerPool } from '../src/worker-pool.js';
import { useChaosFixture } from '../src/fixture.js';

describe.each(testStores())('worker SIGTERM mid-task (%s)', (store) => {
  const f = useChaosFixture(store, 'sigterm');

  it('completes the tasks that finish within the grace and releases the rest at once', async () => {
    const quick = 2;
    const slow = 4;
    const tasks = [...Array.from({ length: quick }, () => ({ data: { ms: 1_200 } })), ...Array.from({ length: slow }, () => ({ data: { ms: 60_000 } }))];
    const job = await f.producer.createJob('sigterm', { stages: [{ type: 'chaos-a', tasks }] });
    const pool = new WorkerPool({ url: f.manager.url, logDir: f.logDir, stageTypes: ['chaos-a'], concurrency: quick + slow, leaseMs: 60_000, graceMs: 3_000 });
    const worker = pool.spawn();
    await waitFor(() => readExecutionLogs(f.logDir).executions === quick + slow, {
      timeoutMs: 30_000,
      message: 'every task started',
      onTimeout: () => worker.output(),
    });
    // Every task is running (and leased for a minute) when the signal comes.
    const before = (await f.producer.listTasks({ jobId: job.id })).items;
    expect(before.map((t) => t.status)).toEqual(Array(quick + slow).fill('IN_PROGRESS'));

    const signalledAt = Date.now();
    const exit = await stopChild(worker, 'SIGTERM', 10_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(3_000 + 2_000);

    // Read right after the exit: nothing is left to the lease.
    const after = (await f.producer.listTasks({ jobId: job.id })).items;
    const byMs = (ms: number) => after.filter((t) => (t.data as { ms: number }).ms === ms);
    for (const t of byMs(1_200)) expect(t.status).toBe('COMPLETED');
    for (const t of byMs(60_000)) {
      expect(t.status).toBe('PENDING');
      expect(t.attempts).toBe(0);
      expect(t.lease ?? null).toBeNull();
    }
    expect(after.filter((t) => t.status === 'IN_PROGRESS')).toEqual([]);
    // The worker said so too: each quick task completed, each slow one released for the shutdown.
    const logs = readExecutionLogs(f.logDir);
    expect(logs.events).toEqual({ C: quick, R: slow });
  });
});
