// Cancel and suspend reach a running handler through the directives long-poll, not at its next heartbeat:
// with the default 10 s heartbeat interval, the signal must abort within a second.
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import type { TaskAbortError, TaskAbortKind } from '../src/index.js';
import { useManager } from './helpers/manager.js';

describe.each(testStores())('directives pushed to running handlers (%s)', (store) => {
  const m = useManager(store);

  it.each([
    ['cancel', 'cancelled'],
    ['suspend', 'suspended'],
  ] as const)('%s reaches ctx.signal within 1 s, with the default heartbeat interval', async (action, kind) => {
    const producer = m.producer();
    const type = m.unique(action);
    const job = await producer.createJob(action, { stages: [{ type, tasks: [{ data: 0 }, { data: 1 }] }] });
    // Defaults (5 s long-polls, 10 s heartbeats), as a user would run it.
    const worker = m.worker({ concurrency: 2, waitMs: 5_000, heartbeatIntervalMs: 10_000 });
    const aborted: { kind: TaskAbortKind; at: number }[] = [];
    worker.handle(type, (_task, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => {
      aborted.push({ kind: (ctx.signal.reason as TaskAbortError).kind, at: Date.now() });
      reject(ctx.signal.reason);
    })));
    await worker.start();
    await waitFor(() => worker.inFlight === 2, { message: 'both tasks running' });
    const sentAt = Date.now();
    if (action === 'cancel') await producer.cancelJob(job.id);
    else await producer.suspendJob(job.id);
    await waitFor(() => aborted.length === 2, { timeoutMs: 1_000, message: `both handlers aborted within 1 s of the ${action}` });
    expect(aborted.map((a) => a.kind)).toEqual([kind, kind]);
    expect(Math.max(...aborted.map((a) => a.at - sentAt))).toBeLessThan(1_000);
  });
});
