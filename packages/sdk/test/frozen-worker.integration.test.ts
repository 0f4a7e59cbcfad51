// A worker process frozen (SIGSTOP) while the manager answers its long-poll reads that answer only after
// SIGCONT, when the leases in it have lapsed and the tasks were completed elsewhere. It must not run them.
import { afterEach, describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { spawnWorker, type ChildWorker } from './helpers/child-worker.js';
import { useManager } from './helpers/manager.js';

async function longPollsWaiting(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^jobnik_long_polls_waiting (\d+)/m.exec(text)?.[1] ?? 0);
}

describe.each(testStores())('a worker frozen in its long-poll (%s)', (store) => {
  const m = useManager(store);
  const children: ChildWorker[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  });

  it('runs no handler for the leases that lapsed while it was frozen, and hands them back', async () => {
    const producer = m.producer();
    const type = m.unique('frozen');
    // A long poll, so the answer waits in the socket (not timed out) when the process wakes up.
    const child = spawnWorker({ JOBNIK_URL: m.url, STAGE_TYPE: type, MODE: 'drain', LEASE_MS: '1000', WAIT_MS: '30000', CONCURRENCY: '8' });
    children.push(child);
    await waitFor(async () => child.events.some((e) => e.event === 'ready') && (await longPollsWaiting(m.url)) === 1, {
      timeoutMs: 20_000,
      message: `child parked in its long-poll (${child.stderr()})`,
    });
    child.proc.kill('SIGSTOP');
    const job = await producer.createJob('frozen', { stages: [{ type, tasks: Array.from({ length: 8 }, () => ({ data: { kind: 'quick' }, backoff: { baseMs: 0, maxMs: 0 } })) }] });
    // The parked poll was answered: every task is leased to the frozen process...
    await waitFor(async () => (await producer.listTasks({ jobId: job.id })).items.every((t) => t.status === 'IN_PROGRESS'), {
      message: 'leased to the frozen worker',
      onTimeout: () => `child events: ${JSON.stringify(child.events)}`,
    });
    // ...its leases lapse, and another worker completes the tasks.
    const other = m.worker({ concurrency: 8 });
    other.handle(type, () => ({ by: 'other' }));
    await other.start();
    expect((await producer.waitForJob(job.id, { pollMs: 50, timeoutMs: 20_000 })).status).toBe('COMPLETED');

    child.proc.kill('SIGCONT');
    const seen = () => child.events.filter((e) => e.event === 'started' || e.event === 'leaseLost');
    await waitFor(() => seen().length >= 8, { timeoutMs: 15_000, message: 'the thawed worker dealt with all 8 tasks', onTimeout: () => `${JSON.stringify(child.events)} ${child.stderr()}` });
    const events = `child events: ${JSON.stringify(child.events)} stderr: ${child.stderr()}`;
    expect(child.events.filter((e) => e.event === 'started'), events).toEqual([]);
    expect(child.events.filter((e) => e.event === 'leaseLost'), events).toHaveLength(8);
    const { items } = await producer.listTasks({ jobId: job.id });
    expect(items.map((t) => t.result), JSON.stringify(items)).toEqual(Array(8).fill({ by: 'other' }));
  });
});
