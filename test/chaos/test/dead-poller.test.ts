// A worker SIGKILLed while it waits in a long-poll must not be handed tasks afterwards: the manager has to
// notice the closed connection, or the tasks would sit leased to a dead process until the lease expires.
// The lease here is a minute; the job must finish on a live worker long before that.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestManager, testStores, type TestManager } from '@jobnik/manager/testing';
import { ProducerClient } from '@jobnik/sdk';
import { killAllChildren } from '../src/children.js';
import { readExecutionLogs } from '../src/execution-log.js';
import { WorkerPool } from '../src/worker-pool.js';
import { waitFor } from '../src/wait-for.js';

describe.each(testStores())('worker SIGKILLed in a long-poll (%s)', (store) => {
  let manager: TestManager;
  let producer: ProducerClient;
  let logDir: string;
  beforeAll(async () => {
    manager = await startTestManager({ store, config: { tasks: { sweepIntervalMs: 200 } } });
    producer = new ProducerClient({ baseUrl: manager.url });
    logDir = mkdtempSync(join(tmpdir(), 'jobnik-chaos-poller-'));
  });
  afterAll(async () => {
    killAllChildren();
    await producer?.close();
    await manager?.close();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  it('hands the dead worker nothing: every task runs on a live worker, once, well within the lease', async () => {
    const pool = new WorkerPool({ url: manager.url, logDir, stageTypes: ['chaos-a'], concurrency: 4, leaseMs: 60_000 });
    const victim = pool.spawn();
    // It has polled (the manager knows it) and, with nothing to do, sits in a long-poll.
    await waitFor(async () => (await producer.listWorkers()).some((w) => w.id.includes(`-${victim.proc.pid}-`)), {
      timeoutMs: 30_000,
      message: 'victim polling',
      onTimeout: () => victim.output(),
    });
    victim.proc.kill('SIGKILL');
    await victim.exited;

    const job = await producer.createJob('dead-poller', { stages: [{ type: 'chaos-a', tasks: Array.from({ length: 8 }, (_, i) => ({ data: { i, ms: 5 } })) }] });
    pool.spawn();
    const done = await producer.waitForJob(job.id, { pollMs: 100, timeoutMs: 20_000 });
    expect(done.status).toBe('COMPLETED');
    const tasks = (await producer.listTasks({ jobId: job.id })).items;
    expect(tasks.map((t) => t.attempts)).toEqual(Array(8).fill(1));
    expect(readExecutionLogs(logDir).executions).toBe(8);
  });
});
