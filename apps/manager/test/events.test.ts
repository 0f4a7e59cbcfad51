// The event streams over real HTTP on both stores: each change arrives once, in order, with increasing ids; a
// client that reconnects with Last-Event-ID gets exactly what it missed, then the live rest; a tenant's stream
// shows only its jobs; a job's stream only that job.
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { waitFor } from './api.js';
import { useManager } from './fixtures.js';
import { openStream, type SseEvent } from './sse.js';

const ADMIN = 'events-admin-key';
const describeEvent = (e: SseEvent) => `${e.data.kind}:${e.data.to}`;

describe.each(testStores())('event streams on %s', (store) => {
  const t = useManager(store, { auth: { mode: 'apiKey', adminKey: ADMIN } });
  const admin = { 'x-api-key': ADMIN };

  async function key(tenantId: string, role: string): Promise<Record<string, string>> {
    const r = await t.a.post('/api-keys', { tenantId, role, name: `${tenantId}-${role}` }, admin);
    return { 'x-api-key': r.body.key };
  }

  async function runJob(h: Record<string, string>, type: string, tasks = 1): Promise<string> {
    const job = (await t.a.post('/jobs', { name: 'streamed', stages: [{ type, tasks: Array.from({ length: tasks }, () => ({})) }] }, h)).body;
    const d = (await t.a.post('/dequeue', { workerId: 'sse-w', max: tasks, stageTypes: [type] }, admin)).body;
    await t.a.post('/tasks/complete', { items: d.tasks.map((x: any) => ({ taskId: x.id, leaseToken: x.leaseToken })) }, admin);
    return job.id;
  }

  it('delivers each change once, in order, and resumes from Last-Event-ID with exactly what was missed', async () => {
    const producer = await key('sse-a', 'producer');
    const stream = await openStream(`${t.m.url}/events`, producer);
    expect(stream.status).toBe(200);
    const first = await runJob(producer, 'sse-a1', 2);
    const expected = ['job:PENDING', 'job:IN_PROGRESS', 'stage:IN_PROGRESS', 'attempt:COMPLETED', 'attempt:COMPLETED', 'stage:COMPLETED', 'job:COMPLETED'];
    await waitFor(async () => stream.events.length, (n) => n >= expected.length);
    expect(stream.events.map(describeEvent)).toEqual(expected);
    expect(stream.events.every((e) => e.data.jobId === first && e.id === e.data.seq)).toBe(true);
    const ids = stream.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    stream.close();

    // While disconnected: another job runs. Reconnecting after the third event replays the rest once, then goes on live.
    const second = await runJob(producer, 'sse-a2');
    const resumed = await openStream(`${t.m.url}/events`, { ...producer, 'last-event-id': String(ids[2]) });
    await waitFor(async () => resumed.events.length, (n) => n >= 4 + 6);
    expect(resumed.events.map((e) => [e.data.jobId, describeEvent(e)])).toEqual([
      ...expected.slice(3).map((d) => [first, d]),
      ...['job:PENDING', 'job:IN_PROGRESS', 'stage:IN_PROGRESS', 'attempt:COMPLETED', 'stage:COMPLETED', 'job:COMPLETED'].map((d) => [second, d]),
    ]);
    const third = await runJob(producer, 'sse-a3');
    await waitFor(async () => resumed.events.length, (n) => n >= 16);
    expect(resumed.events.slice(10).every((e) => e.data.jobId === third)).toBe(true);
    const all = resumed.events.map((e) => e.id);
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
    resumed.close();
  });

  it("a tenant's stream shows only its jobs; a job's stream only that job; another tenant's job is 404", async () => {
    const a = await key('sse-t1', 'producer');
    const b = await key('sse-t2', 'producer');
    const streamA = await openStream(`${t.m.url}/events`, a);
    const jobB = await runJob(b, 'sse-b');
    const jobA = await runJob(a, 'sse-tA');
    await waitFor(async () => streamA.events.length, (n) => n >= 6);
    expect(streamA.events.every((e) => e.data.jobId === jobA)).toBe(true);
    streamA.close();
    const jobStream = await openStream(`${t.m.url}/jobs/${jobA}/events?lastEventId=0`, a);
    await waitFor(async () => jobStream.events.length, (n) => n >= 6);
    expect(jobStream.events.map(describeEvent)).toEqual(['job:PENDING', 'job:IN_PROGRESS', 'stage:IN_PROGRESS', 'attempt:COMPLETED', 'stage:COMPLETED', 'job:COMPLETED']);
    jobStream.close();
    const denied = await openStream(`${t.m.url}/jobs/${jobB}/events`, a);
    expect(denied.status).toBe(404);
  });

  it('refuses a Last-Event-ID that is not an event id, as it refuses such a lastEventId, instead of starting from now', async () => {
    for (const id of ['abc', '1.5', '-5', '1e3', '9'.repeat(16)]) {
      const header = await t.a.raw('GET', '/events', undefined, { ...admin, 'last-event-id': id });
      expect([header.status, header.body.code, header.body.errors?.[0]?.path], id).toEqual([400, 'VALIDATION_FAILED', '/headers/last-event-id']);
      const query = await t.a.raw('GET', `/events?lastEventId=${encodeURIComponent(id)}`, undefined, admin);
      expect(query.status, id).toBe(400);
    }
  });
});
