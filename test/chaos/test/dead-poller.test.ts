// A worker SIGKILLed while it waits in a long-poll must not be handed tasks afterwards: the manager has to
// notice the closed connection, or the tasks would sit leased to a dead process until the lease expires.
// The lease here is a minute; the job must finish on a live worker long before that.
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { readExecutionLogs } from '../src/execution-log.js';
import { WorkerPool } from '../src/worker-pool.js';
import { useChaosFixture } from '../src/fixture.js';

describe.each(testStores())('worker SIGKILLed in a long-poll (%s)', (store) => {
  const f = useChaosFixture(store, 'poller');

  it('hands the dead worker nothing: every task runs on a live worker, once, well within the lease', async () => {
    const pool = new WorkerPool({ url: f.manager.url, logDir: f.logDir, stageTypes: ['chaos-a'], concurrency: 4, leaseMs: 60_000 });
    const victim = pool.spawn();
    // It has polled (the manager knows it) and, with nothing to do, sits in a long-poll.
    await waitFor(async () => (await f.producer.listWorkers()).some((w) => w.id.includes(`-${victim.proc.pid}-`)), {
      timeoutMs: 30_000,
      message: 'victim polling',
      onTimeout: () => victim.output(),
    });
    victim.proc.kill('SIGKILL');
    await victim.exited;

    const job = await f.producer.createJob('dead-poller', { stages: [{ type: 'chaos-a', tasks: Array.from({ length: 8 }, (_, i) => ({ data: { i, ms: 5 } })) }] });
    pool.spawn();
    const done = await f.producer.waitForJob(job.id, { pollMs: 100, timeoutMs: 20_000 });
    expect(done.status).toBe('COMPLETED');
    const tasks = (await f.producer.listTasks({ jobId: job.id })).items;
    expect(tasks.map((t) => t.attempts)).toEqual(Array(8).fill(1));
    expect(readExecutionLogs(f.logDir).executions).toBe(8);
  });
});
