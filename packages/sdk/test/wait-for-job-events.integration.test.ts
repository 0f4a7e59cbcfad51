// waitForJob follows the job's event stream: with polls an hour apart it still sees every change as it happens
// (progress reports on the way, the end at once); without the stream (events: false, or a manager that has
// none) it polls.
import { describe, expect, it } from 'vitest';
import { testStores } from '@jobnik/manager/testing';
import { ProducerClient } from '../src/index.js';
import { useManager } from './helpers/manager.js';

const HOUR = 3_600_000;

describe.each(testStores())('waitForJob over the event stream (%s)', (store) => {
  const m = useManager(store);

  it('reports each change and returns when the job ends, without waiting for a poll', async () => {
    const p = m.producer();
    const type = m.unique('wfe');
    const job = await p.createJob('followed', { stages: [{ type, tasks: [{ data: 1 }, { data: 2 }] }] });
    const seen: string[] = [];
    const waiting = p.waitForJob(job.id, { pollMs: HOUR, timeoutMs: 60_000, onProgress: (j) => seen.push(`${j.status}:${j.percentage}`) });
    // The stream is open once the first report arrived; then a worker finishes the tasks one by one.
    const base = m.url;
    const post = (path: string, body: unknown) => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    while (seen.length === 0) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 2; i++) {
      const d = await post('/dequeue', { workerId: 'wfe-w', max: 1, stageTypes: [type] });
      await post('/tasks/complete', { items: [{ taskId: d.tasks[0].id, leaseToken: d.tasks[0].leaseToken }] });
    }
    const done = await waiting;
    expect(done.status).toBe('COMPLETED');
    expect(seen[0]).toBe('PENDING:0');
    expect(seen.at(-1)).toBe('COMPLETED:100');
  });

  it('polls when told not to follow the stream, and against a manager that has none', async () => {
    const p = m.producer();
    const type = m.unique('wfp');
    const job = await p.createJob('polled', { stages: [{ type, tasks: [{}] }] });
    const waiting = p.waitForJob(job.id, { pollMs: 20, timeoutMs: 60_000, events: false });
    const w = await fetch(`${m.url}/dequeue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workerId: 'wfp', max: 1, stageTypes: [type] }) }).then((r) => r.json() as Promise<any>);
    await fetch(`${m.url}/tasks/complete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ taskId: w.tasks[0].id, leaseToken: w.tasks[0].leaseToken }] }) });
    expect((await waiting).status).toBe('COMPLETED');
    // No stream there (a 404): it falls back to polling and still sees the end.
    const second = await p.createJob('polled', { stages: [{ type, tasks: [{}] }] });
    const noStream = new ProducerClient({ transport: p.transport });
    const original = p.transport.openEventStream.bind(p.transport);
    p.transport.openEventStream = async (path, signal) => original(`${path}-missing`, signal);
    try {
      const polled = noStream.waitForJob(second.id, { pollMs: 20, timeoutMs: 60_000 });
      const d = await fetch(`${m.url}/dequeue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workerId: 'wfp', max: 1, stageTypes: [type] }) }).then((r) => r.json() as Promise<any>);
      await fetch(`${m.url}/tasks/complete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ taskId: d.tasks[0].id, leaseToken: d.tasks[0].leaseToken }] }) });
      expect((await polled).status).toBe('COMPLETED');
    } finally {
      p.transport.openEventStream = original;
    }
  });
});
