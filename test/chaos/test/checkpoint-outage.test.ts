// Every slot of every worker blocked in ctx.checkpoint() during a manager outage longer than the heartbeat
// interval: when the manager is back, work resumes within 5 s (not at the next 10 s heartbeat), and nothing is
// lost or completed twice.
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { checkpointStepsByTask, readExecutionLogs } from '../src/execution-log.js';
import { WorkerPool } from '../src/worker-pool.js';
import { useChaosFixture } from '../src/fixture.js';

const OUTAGE_MS = 12_000; // longer than the default heartbeat interval (a 30 s lease / 3)

describe.each(testStores())('manager outage with every slot in ctx.checkpoint() (%s)', (store) => {
  const f = useChaosFixture(store, 'ckpt-outage');

  it('resumes every handler within 5 s of the manager coming back; 0 lost, 0 completed twice', async () => {
    const slots = 2 * 4;
    const tasks = Array.from({ length: slots }, (_, i) => ({ data: { i, checkpoints: 60, ms: 25 } }));
    const job = await f.producer.createJob('ckpt-outage', { stages: [{ type: 'chaos-ckpt', tasks }] });
    // Default lease (30 s, so heartbeats every 10 s) and long-polls.
    const pool = new WorkerPool({ url: f.manager.url, logDir: f.logDir, stageTypes: ['chaos-ckpt'], concurrency: 4, leaseMs: 30_000, waitMs: 5_000 });
    pool.start(2);
    await waitFor(() => {
      const steps = checkpointStepsByTask(f.logDir);
      return steps.size === slots && [...steps.values()].every((s) => s >= 2);
    }, { timeoutMs: 30_000, message: 'every slot checkpointing', onTimeout: () => pool.workers.map((w) => w.output()).join('\n') });

    await f.manager.stopHttp();
    const outageStarted = Date.now();
    // The outage itself is the scenario (not a synchronization): every handler's next checkpoint blocks in it.
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const blocked = checkpointStepsByTask(f.logDir);
    await f.manager.startHttp();
    const back = Date.now();
    await waitFor(() => {
      const now = checkpointStepsByTask(f.logDir);
      return [...blocked].every(([id, step]) => (now.get(id) ?? 0) > step);
    }, { timeoutMs: 5_000, message: 'every handler stored a checkpoint within 5 s of the manager coming back' });
    const resumedMs = Date.now() - back;
    console.error(`[checkpoint-outage ${store}] outage ${back - outageStarted} ms; every handler resumed ${resumedMs} ms after the manager came back`);
    expect(resumedMs).toBeLessThan(5_000);

    expect((await f.producer.waitForJob(job.id, { pollMs: 200, timeoutMs: 60_000 })).status).toBe('COMPLETED');
    const logs = readExecutionLogs(f.logDir);
    expect([...logs.completionsByTask.values()].every((s) => s.size === 1)).toBe(true);
    expect(logs.completionsByTask.size).toBe(slots);
    const rows = (await f.producer.listTasks({ jobId: job.id })).items;
    expect(rows.map((t) => t.status)).toEqual(Array(slots).fill('COMPLETED'));
    await pool.stopAll();
  });
});
