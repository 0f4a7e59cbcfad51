// Once a handler has returned, its ctx.signal never aborts: not when a heartbeat answer races the
// completion ack (the manager already applied it and says the lease is gone), not when the worker stops
// while that ack is on its way. The ack is held back by a proxy, so the race is forced, not waited for.
import { afterEach, describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import type { TaskAbortError, TaskAbortKind, TaskEventBase, WorkerClient } from '../src/index.js';
import { HttpProxy } from './helpers/http-proxy.js';
import { useManager } from './helpers/manager.js';

describe.each(testStores())('a settled task keeps its signal (%s)', (store) => {
  const m = useManager(store);
  let proxy: HttpProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  /** A worker behind the proxy whose handler returns at once, recording any abort of its signal afterwards. */
  async function setup(name: string) {
    proxy = await HttpProxy.start(m.url);
    const producer = m.producer();
    const type = m.unique(name);
    const job = await producer.createJob(name, { stages: [{ type, tasks: [{ data: 1 }] }] });
    const worker: WorkerClient = m.worker({ baseUrl: proxy.url, concurrency: 1, heartbeatIntervalMs: 100 });
    const aborts: TaskAbortKind[] = [];
    const leased: { id: string; leaseToken: string }[] = [];
    const lost: TaskEventBase[] = [];
    worker.on('leaseLost', (e) => lost.push(e));
    worker.on('error', () => undefined);
    worker.handle(type, (task, ctx) => {
      leased.push({ id: task.id, leaseToken: task.leaseToken });
      ctx.signal.addEventListener('abort', () => aborts.push((ctx.signal.reason as TaskAbortError).kind));
      return { by: 'worker' };
    });
    proxy.hold('POST /tasks/complete');
    await worker.start();
    await waitFor(() => proxy!.holding === 1, { message: 'completion ack held' });
    return { producer, job, worker, aborts, leased, lost, proxy };
  }

  it('does not abort with lease_lost when a heartbeat answers after the manager applied the completion', async () => {
    const { producer, job, aborts, leased, proxy } = await setup('race-lost');
    // The completion reaches the manager first (as the held ack would, its answer still on the way)...
    const [task] = leased;
    const applied = await producer.transport.call('completeTasks', { body: { items: [{ taskId: task!.id, leaseToken: task!.leaseToken, result: { by: 'worker' } }] } });
    expect(applied.items[0]!.ok).toBe(true);
    // ...then two heartbeats go out: the first was answered "lost" before the second was sent.
    const beats = proxy.count('POST /workers/');
    await waitFor(() => proxy.count('POST /workers/') >= beats + 2, { message: 'a heartbeat answered after the completion' });
    expect(aborts).toEqual([]);
    proxy.release();
    expect((await producer.waitForJob(job.id, { pollMs: 50, timeoutMs: 10_000 })).status).toBe('COMPLETED');
    expect(aborts).toEqual([]);
  });

  it('does not abort with shutdown when the worker stops while the completion ack is on its way', async () => {
    const { worker, aborts, proxy } = await setup('race-stop');
    // stop() aborts whatever still runs, then waits for the acks until the grace is over.
    await worker.stop({ graceMs: 1_000 });
    expect(aborts).toEqual([]);
    proxy.release();
  });
});
