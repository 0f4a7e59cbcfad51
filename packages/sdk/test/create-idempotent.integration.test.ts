// createJob and addTasks are duplicate-safe by default: when the manager committed the job (the appended tasks) but
// its answer was lost on the way back, the SDK's retry (same key) gets that job (those task ids) back instead of
// creating a second one.
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

  it('appends tasks once: the retry of a committed append answers with the same ids', async () => {
    const { producer, proxy } = await lossyProducer();
    const type = m.unique('append');
    const job = await m.producer().createJob(m.unique('append'), { stages: [{ type, hold: true }] });
    const stageId = job.stages![0]!.id;
    proxy.dropNextAnswer(`POST /stages/${stageId}/tasks `);
    const added = await producer.addTasks(stageId, [{ data: 1 }, { data: 2 }]);
    expect(proxy.count(`POST /stages/${stageId}/tasks `)).toBe(2);
    expect(added.created).toBe(2);
    const { items } = await m.producer().listTasks({ stageId });
    expect(items.map((t) => t.id).sort()).toEqual([...added.taskIds].sort());
    // A key of the caller's own makes a repeat of the whole call (e.g. after a restart) safe too.
    const mine = await producer.addTasks(stageId, [{ data: 3 }], { idempotencyKey: 'chunk-2' });
    expect(await producer.addTasks(stageId, [{ data: 3 }], { idempotencyKey: 'chunk-2' })).toEqual(mine);
    expect((await m.producer().getStage(stageId)).summary.total).toBe(3);
  });

  it('appends a stage once: the retry of a committed addStage answers with the same stage', async () => {
    const { producer, proxy } = await lossyProducer();
    const job = await m.producer().createJob(m.unique('add-stage'), { stages: [{ type: m.unique('first'), tasks: [{ data: 1 }] }] });
    proxy.dropNextAnswer(`POST /jobs/${job.id}/stages `);
    const stage = await producer.addStage(job.id, { type: m.unique('second'), hold: true });
    expect(proxy.count(`POST /jobs/${job.id}/stages `)).toBe(2);
    expect((await m.producer().listStages(job.id)).map((s) => s.id)).toEqual([job.stages![0]!.id, stage.id]);
  });
});
