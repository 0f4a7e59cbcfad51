// createJob is duplicate-safe by default: when the manager committed the job but its answer was lost on the
// way back, the SDK's retry (same key) gets that job back instead of creating a second one.
import { afterEach, describe, expect, it } from 'vitest';
import { testStores } from '@jobnik/manager/testing';
import { ProducerClient } from '../src/index.js';
import { HttpProxy } from './helpers/http-proxy.js';
import { useManager } from './helpers/manager.js';

describe.each(testStores())('createJob after a lost answer (%s)', (store) => {
  const m = useManager(store);
  let proxy: HttpProxy | undefined;
  let lossy: ProducerClient | undefined;
  afterEach(async () => {
    await lossy?.close();
    await proxy?.close();
    proxy = lossy = undefined;
  });

  async function lossyProducer(): Promise<{ producer: ProducerClient; proxy: HttpProxy }> {
    proxy = await HttpProxy.start(m.url);
    lossy = new ProducerClient({ baseUrl: proxy.url, retry: { baseMs: 10 } });
    return { producer: lossy, proxy };
  }

  it('creates the job once without a key: the retry of the committed create answers with the same job', async () => {
    const { producer, proxy } = await lossyProducer();
    const name = m.unique('once');
    proxy.dropNextAnswer('POST /jobs ');
    const job = await producer.createJob(name, { stages: [{ type: m.unique('t'), tasks: [{ data: 1 }] }] });
    expect(proxy.count('POST /jobs ')).toBe(2);
    const { items } = await m.producer().listJobs({ name });
    expect(items.map((j) => j.id)).toEqual([job.id]);
    expect(job.idempotencyKey).toMatch(/^sdk:/);
  });

  it("keeps the caller's own key, and each call without one is a job of its own", async () => {
    const { producer, proxy } = await lossyProducer();
    const name = m.unique('keyed');
    proxy.dropNextAnswer('POST /jobs ');
    const keyed = await producer.createJob(name, { idempotencyKey: `mine-${name}`, stages: [{ type: m.unique('t'), tasks: [{ data: 1 }] }] });
    expect(keyed.idempotencyKey).toBe(`mine-${name}`);
    const a = await producer.createJob(name, { data: 1 });
    const b = await producer.createJob(name, { data: 1 });
    expect(new Set([keyed.id, a.id, b.id]).size).toBe(3);
    expect((await m.producer().listJobs({ name })).items).toHaveLength(3);
  });
});
