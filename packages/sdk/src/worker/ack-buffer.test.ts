// The ack buffer over real HTTP against a scripted server: batching, per-item outcomes, riding out outages.
import { afterEach, describe, expect, it } from 'vitest';
import { fakeHttpServer, problem, type FakeServer } from '../../test/helpers/fake-http-server.js';
import { waitFor } from '@jobnik/manager/testing';
import { Transport } from '../transport/transport.js';
import { AckBuffer } from './ack-buffer.js';

let server: FakeServer | undefined;
let transport: Transport | undefined;
afterEach(async () => {
  await transport?.destroy();
  await server?.close();
  server = transport = undefined;
});

const id = (n: number) => `0190c2a4-5b6e-7c8d-9e0f-${String(n).padStart(12, '0')}`;
const okAll = (r: { body: unknown }) => ({ body: { items: (r.body as { items: { taskId: string }[] }).items.map((i) => ({ taskId: i.taskId, ok: true, status: 'COMPLETED' })) } });

describe('AckBuffer', () => {
  it('sends many completes as one request and resolves each with its own outcome', async () => {
    server = await fakeHttpServer(okAll);
    transport = new Transport({ baseUrl: server.url });
    const acks = new AckBuffer(transport, { flushMs: 20, maxBatch: 100, retryMs: 50 });
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => acks.complete({ taskId: id(i), leaseToken: id(1000 + i), result: { i } })));
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/tasks/complete' });
    expect((server.requests[0]!.body as { items: unknown[] }).items).toHaveLength(50);
    expect(outcomes.map((o) => o.taskId)).toEqual(Array.from({ length: 50 }, (_, i) => id(i)));
  });

  it('sends at once when maxBatch items wait, and completes, fails and releases go to their own routes', async () => {
    server = await fakeHttpServer(okAll);
    transport = new Transport({ baseUrl: server.url });
    const acks = new AckBuffer(transport, { flushMs: 60_000, maxBatch: 3, retryMs: 50 });
    const done = Promise.all([0, 1, 2].map((i) => acks.complete({ taskId: id(i), leaseToken: id(i) })));
    await done; // would hang for a minute without the size trigger
    const f = acks.fail({ taskId: id(7), leaseToken: id(7), error: { message: 'x', retryable: false } });
    const r = acks.release({ taskId: id(8), leaseToken: id(8), checkpoint: { page: 3 } });
    await acks.drain(Date.now() + 2000);
    await Promise.all([f, r]);
    expect(server.requests.map((q) => q.url)).toEqual(['/tasks/complete', '/tasks/fail', '/tasks/release']);
    expect(server.requests[2]!.body).toEqual({ items: [{ taskId: id(8), leaseToken: id(8), checkpoint: { page: 3 } }] });
  });

  it('hands back per-item LEASE_LOST without failing the other items', async () => {
    server = await fakeHttpServer(() => ({ body: { items: [{ taskId: id(1), ok: true }, { taskId: id(2), ok: false, code: 'LEASE_LOST' }] } }));
    transport = new Transport({ baseUrl: server.url });
    const acks = new AckBuffer(transport, { flushMs: 10, maxBatch: 100, retryMs: 50 });
    const [a, b] = await Promise.all([acks.complete({ taskId: id(1), leaseToken: id(1) }), acks.complete({ taskId: id(2), leaseToken: id(2) })]);
    expect(a.ok).toBe(true);
    expect(b).toMatchObject({ ok: false, code: 'LEASE_LOST' });
  });

  it('keeps acks while the manager is unavailable and delivers them when it is back', async () => {
    let down = true;
    server = await fakeHttpServer((r) => (down ? { status: 503, body: problem('UNAVAILABLE', 503) } : okAll(r)));
    transport = new Transport({ baseUrl: server.url, retry: { maxRetries: 0 } });
    const acks = new AckBuffer(transport, { flushMs: 5, maxBatch: 100, retryMs: 30 });
    let settled = false;
    const p = acks.complete({ taskId: id(1), leaseToken: id(1) }).finally(() => (settled = true));
    await waitFor(() => server!.requests.length >= 2, { timeoutMs: 5000 });
    expect(settled).toBe(false);
    down = false;
    await expect(p).resolves.toMatchObject({ ok: true });
  });

  it('isolates an item the manager rejects: the others are still applied', async () => {
    server = await fakeHttpServer((r) => {
      const items = (r.body as { items: { taskId: string; result?: unknown }[] }).items;
      if (items.some((i) => i.result === 'bad')) return { status: 400, body: problem('VALIDATION_FAILED', 400) };
      return okAll(r);
    });
    transport = new Transport({ baseUrl: server.url });
    const acks = new AckBuffer(transport, { flushMs: 10, maxBatch: 100, retryMs: 50 });
    const good = acks.complete({ taskId: id(1), leaseToken: id(1), result: 'fine' });
    const bad = acks.complete({ taskId: id(2), leaseToken: id(2), result: 'bad' });
    await expect(good).resolves.toMatchObject({ ok: true });
    await expect(bad).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('drain gives up at its deadline, rejecting what could not be delivered', async () => {
    transport = new Transport({ baseUrl: 'http://127.0.0.1:1', retry: { maxRetries: 0 } });
    const acks = new AckBuffer(transport, { flushMs: 5, maxBatch: 100, retryMs: 20 });
    const p = acks.complete({ taskId: id(1), leaseToken: id(1) });
    const started = Date.now();
    await acks.drain(Date.now() + 300);
    expect(Date.now() - started).toBeLessThan(1500);
    await expect(p).rejects.toBeDefined();
  });
});
