// A worker whose acks fall behind stops asking for work: at most maxHeldLeases leases (running handlers plus
// finished tasks waiting for their acks) at once. Without the cap a fast handler and a slow ack path let the
// worker lease the whole backlog, every lease heartbeated until its ack lands. The acks are held back by a
// proxy, so the backlog of acks is forced, not waited for.
import { afterEach, describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { HttpProxy } from './helpers/http-proxy.js';
import { useManager } from './helpers/manager.js';

describe.each(testStores())('held leases are capped while acks are behind (%s)', (store) => {
  const m = useManager(store);
  let proxy: HttpProxy | undefined;
  afterEach(async () => {
    proxy?.release();
    await proxy?.close();
    proxy = undefined;
  });

  it('holds at most maxHeldLeases leases until acks are answered, then finishes the job', async () => {
    proxy = await HttpProxy.start(m.url);
    const producer = m.producer();
    const type = m.unique('held');
    const job = await producer.createJob('held-leases', { stages: [{ type, tasks: Array.from({ length: 20 }, (_, i) => ({ data: i })) }] });
    const stageId = job.stages![0]!.id;
    const worker = m.worker({ baseUrl: proxy.url, concurrency: 2, maxHeldLeases: 4, ackMaxBatch: 1, ackFlushMs: 0 });
    const errors: Error[] = [];
    worker.on('error', (err) => errors.push(err));
    let ran = 0;
    worker.handle(type, () => {
      ran++;
      return null;
    });
    proxy.hold('POST /tasks/complete');
    await worker.start();

    const waits = async () => (await worker.metrics.registry.getSingleMetric('jobnik_worker_dequeue_waits_for_acks_total')!.get()).values[0]?.value ?? 0;
    await waitFor(async () => (await waits()) >= 1 && ran === 4, { message: 'four tasks ran and the dequeue waits for their acks' });
    // The manager sees exactly those four leased, the rest still pending.
    expect(await producer.getStageSummary(stageId)).toMatchObject({ inProgress: 4, pending: 16, completed: 0 });

    proxy.release();
    await waitFor(async () => (await producer.getJob(job.id)).status === 'COMPLETED', { message: 'the job completes once acks flow' });
    expect(ran).toBe(20);
    // Never a dequeue for 0 tasks (or any other refused call) while the cap held the worker back.
    expect(errors).toEqual([]);
    expect(await producer.getStageSummary(stageId)).toMatchObject({ inProgress: 0, pending: 0, completed: 20 });
  });

  it('rejects a cap below concurrency', () => {
    expect(() => m.worker({ concurrency: 4, maxHeldLeases: 3 })).toThrow(/maxHeldLeases must be between 4/);
  });
});
