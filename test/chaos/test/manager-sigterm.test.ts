// A manager process SIGTERMed while a worker has long-polls parked on it (a dequeue with nothing to hand out,
// the directives poll of a running task) answers them at once, empty, and exits 0 well within its grace,
// instead of waiting the grace out and exiting 1 with the worker's socket reset.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, testStores, waitFor, type StoreKind } from '@jobnik/manager/testing';
import { ProducerClient, WorkerClient } from '@jobnik/sdk';
import { ManagerProcess, freePort } from '../src/manager-process.js';

async function longPollsWaiting(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^jobnik_long_polls_waiting (\d+)/m.exec(text)?.[1] ?? 0);
}

async function startManager(store: StoreKind): Promise<{ manager: ManagerProcess; drop: () => Promise<void> }> {
  const db = store === 'postgres' ? await createTestDatabase() : undefined;
  const manager = new ManagerProcess({
    databaseUrl: db?.url ?? '',
    port: await freePort(),
    // The defaults: a 10 s grace.
    env: { JOBNIK_PGLITE_DIR: 'memory://', JOBNIK_SHUTDOWN_GRACE_MS: '10000' },
  });
  await manager.start();
  return { manager, drop: async () => db?.drop() };
}

/** A JSON POST over `agent`; resolves with the answer once it is read whole. */
function post(agent: http.Agent, url: string, body: unknown): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe.each(testStores())('manager SIGTERM with parked long-polls (%s)', (store) => {
  it('answers the parked polls at once and exits 0 within 3 s', async () => {
    const { manager, drop } = await startManager(store);
    const producer = new ProducerClient({ baseUrl: manager.url });
    // Long polls on purpose (longer than the grace), so only the manager's answer can end them in time.
    const worker = new WorkerClient({ baseUrl: manager.url, concurrency: 2, waitMs: 30_000, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    worker.on('error', () => undefined);
    try {
      await producer.createJob('parked', { stages: [{ type: 'parked', tasks: [{ data: 1 }] }] });
      worker.handle('parked', (_t, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', resolve)));
      await worker.start();
      await waitFor(async () => worker.inFlight === 1 && (await longPollsWaiting(manager.url)) === 1, { message: 'a task running and a dequeue parked' });
      const signalledAt = Date.now();
      const exit = await manager.stop('SIGTERM');
      const tookMs = Date.now() - signalledAt;
      console.error(`[manager-sigterm ${store}] exit ${JSON.stringify(exit)} after ${tookMs} ms`);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(tookMs).toBeLessThan(3_000);
    } finally {
      await worker.stop({ graceMs: 1_000 });
      await producer.close();
      await manager.stop('SIGKILL');
      await drop();
    }
  });

  it('closes a keep-alive connection that was busy at the SIGTERM once it is answered, instead of waiting for the client to let it go', async () => {
    const { manager, drop } = await startManager(store);
    // A client that keeps idle sockets open for as long as the server does (no idle timeout of its own).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answer = post(agent, `${manager.url}/dequeue`, { workerId: 'kept-alive', max: 1, stageTypes: ['nothing-here'], waitMs: 30_000 });
      await waitFor(async () => (await longPollsWaiting(manager.url)) === 1, { message: 'the dequeue parked' });
      const signalledAt = Date.now();
      const stopped = manager.stop('SIGTERM');
      const res = await answer;
      expect(res.status).toBe(200);
      expect(res.body.tasks).toEqual([]);
      expect(res.headers.connection).toBe('close');
      const exit = await stopped;
      const tookMs = Date.now() - signalledAt;
      console.error(`[manager-sigterm ${store}, kept-alive socket] exit ${JSON.stringify(exit)} after ${tookMs} ms`);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(tookMs).toBeLessThan(3_000);
    } finally {
      agent.destroy();
      await manager.stop('SIGKILL');
      await drop();
    }
  });
});
