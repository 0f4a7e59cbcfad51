// The transport over real HTTP against a scripted server: headers, paths, queries, error mapping, timeouts.
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { ConflictError, IdempotencyConflictError, JobnikError, ManagerUnavailableError, NotFoundError } from '../errors.js';
import { fakeHttpServer, problem, type FakeServer } from '../../test/helpers/fake-http-server.js';
import { setupOtel } from '../../test/helpers/otel.js';
import { Transport } from './transport.js';

let server: FakeServer | undefined;
let transport: Transport | undefined;
afterEach(async () => {
  await transport?.destroy();
  await server?.close();
  server = transport = undefined;
});

const JOB_ID = '0190c2a4-5b6e-7c8d-9e0f-112233445566';

describe('Transport', () => {
  it('fills the path, serializes the query and sends the API key and JSON', async () => {
    server = await fakeHttpServer(() => ({ body: { id: JOB_ID } }));
    transport = new Transport({ baseUrl: `${server.url}/api/`, apiKey: 'secret' });
    await transport.call('getJob', { params: { jobId: JOB_ID }, query: { include: 'stages,tasks' } });
    await transport.call('cancelJob', { params: { jobId: JOB_ID } });
    await transport.call('updateQueue', { params: { stageType: 'render' }, body: { paused: true } });
    const [get, cancel, patch] = server.requests;
    expect(get).toMatchObject({ method: 'GET', url: `/api/jobs/${JOB_ID}?include=stages%2Ctasks` });
    expect(get!.headers['x-api-key']).toBe('secret');
    expect(cancel).toMatchObject({ method: 'POST', url: `/api/jobs/${JOB_ID}/cancel` });
    expect(patch).toMatchObject({ method: 'PATCH', url: '/api/queues/render', body: { paused: true } });
    expect(patch!.headers['content-type']).toBe('application/json');
  });

  it("types an answered error's status as a number (no guard needed); only the base class and ManagerUnavailableError may lack one", () => {
    expectTypeOf<NotFoundError['status']>().toEqualTypeOf<number>();
    expectTypeOf<ConflictError['status']>().toEqualTypeOf<number>();
    expectTypeOf<IdempotencyConflictError['status']>().toEqualTypeOf<number>();
    expectTypeOf<ManagerUnavailableError['status']>().toEqualTypeOf<number | undefined>();
  });

  it('says a call on a closed client is one (CLIENT_CLOSED), not that the manager is away', async () => {
    server = await fakeHttpServer(() => ({ body: { id: JOB_ID } }));
    transport = new Transport({ baseUrl: server.url });
    await transport.close();
    const err = await transport.call('getJob', { params: { jobId: JOB_ID } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobnikError);
    expect(err).not.toBeInstanceOf(ManagerUnavailableError);
    expect(err).toMatchObject({ code: 'CLIENT_CLOSED', message: expect.stringMatching(/getJob: this client is closed/) });
    expect(server.requests).toEqual([]);
  });

  it('maps problem+json answers to error classes users can instanceof', async () => {
    server = await fakeHttpServer((r) =>
      r.url.endsWith('/cancel') ? { status: 409, body: problem('IDEMPOTENCY_CONFLICT', 409) } : { status: 404, body: problem('JOB_NOT_FOUND', 404, 'no such job') },
    );
    transport = new Transport({ baseUrl: server.url });
    const notFound = await transport.call('getJob', { params: { jobId: JOB_ID } }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound).toMatchObject({ code: 'JOB_NOT_FOUND', status: 404, problem: { detail: 'no such job' } });
    const conflict = await transport.call('cancelJob', { params: { jobId: JOB_ID } }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(IdempotencyConflictError);
    expect(conflict).toBeInstanceOf(ConflictError);
  });

  it('injects the active trace context as traceparent on a fresh header object', async () => {
    setupOtel();
    server = await fakeHttpServer(() => ({ body: { items: [] } }));
    const headers = { 'x-team': 'maps' };
    transport = new Transport({ baseUrl: server.url, headers });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: '00f067aa0ba902b7', traceFlags: 1 });
    await context.with(ctx, () => transport!.call('listWorkers'));
    await transport.call('listWorkers');
    expect(server.requests[0]!.headers.traceparent).toBe(`00-${traceId}-00f067aa0ba902b7-01`);
    expect(server.requests[0]!.headers['x-team']).toBe('maps');
    expect(server.requests[1]!.headers.traceparent).toBeUndefined();
    expect(headers).toEqual({ 'x-team': 'maps' });
  });

  it('times out a call that gets no answer', async () => {
    server = await fakeHttpServer(() => ({ hang: true }));
    transport = new Transport({ baseUrl: server.url, timeoutMs: 200, retry: { maxRetries: 0 } });
    const started = Date.now();
    const err = await transport.call('listWorkers').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManagerUnavailableError);
    expect(err).toMatchObject({ code: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('retries a GET after a 503 and returns the answer', async () => {
    let n = 0;
    server = await fakeHttpServer(() => (++n === 1 ? { status: 503, body: problem('UNAVAILABLE', 503), headers: { 'retry-after': '0' } } : { body: { items: [] } }));
    transport = new Transport({ baseUrl: server.url });
    await expect(transport.call('listWorkers')).resolves.toEqual({ items: [] });
    expect(server.requests).toHaveLength(2);
  });

  it('does not resend a dequeue whose answer was lost', async () => {
    server = await fakeHttpServer(() => ({ status: 502 }));
    transport = new Transport({ baseUrl: server.url });
    const err = await transport.call('dequeueMany', { body: { workerId: 'w', max: 1, waitMs: 0, stageTypes: ['a'] } }, { retry: 'never' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManagerUnavailableError);
    expect(server.requests).toHaveLength(1);
  });

  it('reports a refused connection as unsent', async () => {
    transport = new Transport({ baseUrl: 'http://127.0.0.1:1', retry: { maxRetries: 0 } });
    const err = await transport.call('listWorkers').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManagerUnavailableError);
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', unsent: true });
  });
});
