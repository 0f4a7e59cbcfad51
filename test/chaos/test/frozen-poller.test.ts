// A worker frozen (SIGSTOP) while the manager answers its long-poll, thawed (SIGCONT) after the leases in that
// answer lapsed and another worker completed the tasks: it must run none of them (it gives the leases back),
// and every task is completed exactly once.
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { executionsByPid, readExecutionLogs } from '../src/execution-log.js';
import { WorkerPool } from '../src/worker-pool.js';
import { useChaosFixture } from '../src/fixture.js';

async function longPollsWaiting(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^jobnik_long_polls_waiting (\d+)/m.exec(text)?.[1] ?? 0);
}

describe.each(testStores())('worker frozen in a long-poll (%s)', (store) => {
  const f = useChaosFixture(store, 'frozen');

  it('runs no handler for the leases that lapsed while it was frozen; every task completes once, elsewhere', async () => {
    // 1 s leases; a long-poll longer than the freeze, so the thawed process reads the answer (not a timeout).
    const frozen = new WorkerPool({ url: f.manager.url, logDir: f.logDir, stageTypes: ['chaos-frozen'], concurrency: 8, leaseMs: 1_000, waitMs: 30_000 });
    const victim = frozen.spawn();
    await waitFor(async () => (await longPollsWaiting(f.manager.url)) === 1, { timeoutMs: 30_000, message: 'victim parked in its long-poll', onTimeout: () => victim.output() });
    victim.proc.kill('SIGSTOP');
    const job = await f.producer.createJob('frozen', { stages: [{ type: 'chaos-frozen', tasks: Array.from({ length: 8 }, (_, i) => ({ data: { i, ms: 5 }, maxAttempts: 5, backoff: { baseMs: 0, maxMs: 0 } })) }] });
    await waitFor(async () => (await f.producer.listTasks({ jobId: job.id })).items.every((t) => t.status === 'IN_PROGRESS'), { message: 'all 8 leased to the frozen worker' });

    const healthy = new WorkerPool({ url: f.manager.url, logDir: f.logDir, stageTypes: ['chaos-frozen'], concurrency: 8 });
    const rescuer = healthy.spawn();
    expect((await f.producer.waitForJob(job.id, { pollMs: 100, timeoutMs: 30_000 })).status).toBe('COMPLETED');

    victim.proc.kill('SIGCONT');
    // The thawed worker reports each lapsed lease as lost (it released it) instead of running it.
    await waitFor(() => (readExecutionLogs(f.logDir).events.L ?? 0) >= 8, { timeoutMs: 20_000, message: 'the thawed worker gave all 8 back', onTimeout: () => victim.output() });
    const logs = readExecutionLogs(f.logDir);
    expect(executionsByPid(f.logDir).get(victim.proc.pid!) ?? 0).toBe(0);
    expect(logs.executions).toBe(8);
    expect([...logs.completionsByTask.values()].every((s) => s.size === 1)).toBe(true);
    const tasks = (await f.producer.listTasks({ jobId: job.id })).items;
    expect(tasks.map((t) => t.status)).toEqual(Array(8).fill('COMPLETED'));
    expect(tasks.map((t) => (t.result as { pid: number }).pid)).toEqual(Array(8).fill(rescuer.proc.pid));
  });
});
