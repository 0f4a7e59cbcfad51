// The manager's HTTP listener goes away and comes back: the worker's breaker opens, its request rate stays
// bounded, and work resumes within seconds of the manager returning.
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { Registry } from 'prom-client';
import { useManager } from './helpers/manager.js';

async function metricValue(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
}

describe.each(testStores())('manager outage (%s)', (store) => {
  const m = useManager(store);

  it('opens the breaker while the manager is down, keeps the request rate bounded, and resumes within 5 s of its return', async () => {
    const producer = m.producer();
    const type = m.unique('outage');
    const registry = new Registry();
    const worker = m.worker({
      concurrency: 2,
      waitMs: 1_000,
      registry,
      breaker: { threshold: 3, halfOpenAfterMs: 500 },
      retry: { maxRetries: 1, baseMs: 50, maxMs: 200 },
    });
    const events: string[] = [];
    worker.on('breakerOpen', () => events.push('open'));
    worker.on('breakerClosed', () => events.push('closed'));
    worker.on('error', () => undefined);
    worker.handle(type, (t) => ({ echo: t.data }));
    await worker.start();
    const warm = await producer.createJob('outage', { stages: [{ type, tasks: [{ data: 1 }] }] });
    expect((await producer.waitForJob(warm.id, { pollMs: 50, timeoutMs: 10_000 })).status).toBe('COMPLETED');

    await m.manager.stopHttp();
    await waitFor(() => events.includes('open'), { timeoutMs: 15_000, message: 'breaker open' });
    expect(await metricValue(registry, 'jobnik_worker_breaker_state')).toBeGreaterThan(0);
    expect(worker.breakerState).not.toBe('closed');

    // Observe the dequeue rate over a 3 s window while the manager is away: one probe per half-open period,
    // not a spin (an unguarded loop against a refused port makes thousands of calls in that time).
    const before = await metricValue(registry, 'jobnik_worker_dequeue_requests_total');
    await new Promise((r) => setTimeout(r, 3_000));
    const during = (await metricValue(registry, 'jobnik_worker_dequeue_requests_total')) - before;
    expect(during).toBeLessThanOrEqual(10);

    await m.manager.startHttp();
    const back = Date.now();
    const job = await producer.createJob('outage', { stages: [{ type, tasks: [{ data: 2 }, { data: 3 }] }] });
    const done = await producer.waitForJob(job.id, { pollMs: 50, timeoutMs: 5_000 });
    expect(done.status).toBe('COMPLETED');
    expect(Date.now() - back).toBeLessThan(5_000);
    await waitFor(() => events.includes('closed'));
    expect(await metricValue(registry, 'jobnik_worker_breaker_state')).toBe(0);
    const { items } = await producer.listTasks({ jobId: job.id });
    expect(items.map((t) => t.result).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([{ echo: 2 }, { echo: 3 }]);
  });

  it('stop() returns within its grace even when a handler ignores its signal and the manager is gone', async () => {
    const producer = m.producer();
    const type = m.unique('hang');
    await producer.createJob('hang', { stages: [{ type, tasks: [{ data: 1 }] }] });
    const worker = m.worker({ concurrency: 1 });
    worker.on('error', () => undefined);
    worker.handle(type, () => new Promise(() => undefined));
    await worker.start();
    await waitFor(() => worker.inFlight === 1, { message: 'task running' });
    await m.manager.stopHttp();
    try {
      const started = Date.now();
      await worker.stop({ graceMs: 1_500 });
      expect(Date.now() - started).toBeLessThan(1_500 + 500);
    } finally {
      await m.manager.startHttp();
    }
  });
});
