// quietSlots: slots kept for quiet queues — a (tenant, stage type) with ready tasks and none in progress. With every
// main slot busy on one tenant's long tasks, another tenant's task starts at once in the quiet slot instead of
// waiting for one of them to finish; the busy tenant never gets the quiet slot while its own tasks run.
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { useManager } from './helpers/manager.js';

describe.each(testStores())('quiet slots (%s)', (store) => {
  const m = useManager(store);

  it("start a quiet tenant's task while the main slots are busy with another tenant's backlog", async () => {
    const producer = m.producer();
    const type = m.unique('quiet');
    const big = await producer.createJob('big', { tenantId: 'big', stages: [{ type, tasks: Array.from({ length: 6 }, (_, i) => ({ data: { tenant: 'big', i } })) }] });
    const worker = m.worker({ concurrency: 3, quietSlots: 1 });
    let releaseBig!: () => void;
    const bigMayFinish = new Promise<void>((r) => (releaseBig = r));
    const running = { big: 0, small: 0 };
    const seen: string[] = [];
    worker.handle(type, async (task) => {
      const tenant = (task.data as { tenant: 'big' | 'small' }).tenant;
      seen.push(tenant);
      running[tenant]++;
      if (tenant === 'big') await bigMayFinish;
      running[tenant]--;
      return null;
    });
    await worker.start();
    // The two main slots take the big tenant's first two tasks and hold them.
    await waitFor(async () => running.big === 2, { message: 'two of the big tenant’s tasks running' });

    const small = await producer.createJob('small', { tenantId: 'small', stages: [{ type, tasks: [{ data: { tenant: 'small', i: 0 } }] }] });
    await waitFor(async () => (await producer.getJob(small.id)).status === 'COMPLETED', { message: 'the small tenant’s job completes while the big one’s tasks hold the main slots' });
    // Meanwhile the big tenant kept its two tasks and nothing more: the quiet slot was not its.
    expect(running.big).toBe(2);
    expect(await producer.getStageSummary(big.stages![0]!.id)).toMatchObject({ inProgress: 2, pending: 4, completed: 0 });
    expect(seen).toEqual(['big', 'big', 'small']);
    expect((await worker.metrics.registry.getSingleMetric('jobnik_worker_quiet_tasks_total')!.get()).values[0]?.value).toBe(1);

    releaseBig();
    await waitFor(async () => (await producer.getJob(big.id)).status === 'COMPLETED', { message: 'the big tenant’s job completes' });
    expect(seen.filter((t) => t === 'big')).toHaveLength(6);
  });

  it('are refused when they would leave no main slot', () => {
    expect(() => m.worker({ concurrency: 2, quietSlots: 2 })).toThrow(/quietSlots must be between 0 and 1/);
  });
});
