// The whole system for a browser test: a real manager (PostgreSQL or PGlite) on a free port, a producer
// and a worker from the SDK over real HTTP. The worker's handlers finish only when the test says so.
import { ProducerClient, WorkerClient } from '@jobnik/sdk';
import { startTestManager, type StoreKind, type TestManager } from '@jobnik/manager/testing';
import { Gate } from './gate.js';

/** Tasks of this stage type finish when `system.gate` lets them through. */
export const GATED = 'e2e-render';
/** Tasks of this stage type run until they are cancelled (they wait on their abort signal). */
export const HOLD = 'e2e-hold';
/** No worker serves this stage type: its tasks stay ready. */
export const IDLE = 'e2e-idle';
/** Nor this one: the held stage's tasks, once released, stay ready where the test reads them. */
export const HELD = 'e2e-held';

/** Manager configuration overrides, as startTestManager takes them. */
export type ManagerOverrides = NonNullable<Parameters<typeof startTestManager>[0]['config']>;

export interface System {
  manager: TestManager;
  url: string;
  producer: ProducerClient;
  worker: WorkerClient;
  gate: Gate;
  close(): Promise<void>;
}

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

export async function startSystem(options: { store: StoreKind; config?: ManagerOverrides; apiKey?: string }): Promise<System> {
  const manager = await startTestManager({ store: options.store, ...(options.config ? { config: options.config } : {}) });
  const client = { baseUrl: manager.url, ...(options.apiKey ? { apiKey: options.apiKey } : {}) };
  const producer = new ProducerClient(client);
  const gate = new Gate();
  // Short heartbeats so a cancel reaches a running handler within a second.
  const worker = new WorkerClient({ ...client, concurrency: 16, waitMs: 1_000, leaseMs: 3_000, heartbeatIntervalMs: 500, graceMs: 2_000, logger: quietLogger });
  worker.handle(GATED, async (_task, ctx) => {
    await gate.pass(ctx.signal);
    return { done: true };
  });
  worker.handle(HOLD, (_task, ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true })));
  await worker.start();
  return {
    manager,
    url: manager.url,
    producer,
    worker,
    gate,
    async close() {
      await worker.stop({ graceMs: 2_000 });
      await producer.close();
      await manager.close();
    },
  };
}
