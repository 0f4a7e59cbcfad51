// stop() against a manager that stops answering mid-run (accepts connections, never replies): the one
// failure mode the real manager cannot be made to show, so a scripted server plays it.
import { afterEach, describe, expect, it } from 'vitest';
import { fakeHttpServer, type FakeServer } from '../../test/helpers/fake-http-server.js';
import { waitFor } from '@jobnik/manager/testing';
import { WorkerClient } from './worker-client.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const uuid = (n: number) => `0190c2a4-5b6e-7c8d-9e0f-${String(n).padStart(12, '0')}`;
const leased = {
  id: uuid(1), jobId: uuid(2), stageId: uuid(3), stageType: 'render', priority: 'MEDIUM', data: 1, userMetadata: {},
  attempts: 1, maxAttempts: 3, timeoutMs: null, checkpoint: null, leaseToken: uuid(4), leaseExpiresAt: new Date(Date.now() + 60_000).toISOString(),
};

describe('WorkerClient.stop', () => {
  it('returns within graceMs when the manager hangs and a handler ignores its signal', async () => {
    let handedOut = false;
    server = await fakeHttpServer((r) => {
      if (r.url === '/dequeue' && !handedOut) {
        handedOut = true;
        return { body: { tasks: [leased], jobs: [], stages: [] } };
      }
      return { hang: true }; // heartbeats, acks, later polls: no answer, ever
    });
    const worker = new WorkerClient({ baseUrl: server.url, concurrency: 1, waitMs: 1000, heartbeatIntervalMs: 100, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    worker.on('error', () => undefined);
    worker.handle('render', () => new Promise(() => undefined));
    await worker.start();
    await waitFor(() => worker.inFlight === 1);
    await waitFor(() => server!.requests.some((q) => q.url.endsWith('/heartbeat')), { message: 'a heartbeat is outstanding' });
    const started = Date.now();
    await worker.stop({ graceMs: 1_000 });
    expect(Date.now() - started).toBeLessThan(1_000 + 300);
    // The stuck task was offered back (the release went out even though no answer came).
    expect(server.requests.some((q) => q.url === '/tasks/release')).toBe(true);
  });
});
