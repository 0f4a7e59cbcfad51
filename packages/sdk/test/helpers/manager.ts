// A real manager per test file (fresh database, real HTTP), plus workers and producers closed after each test.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startTestManager, type StoreKind, type TestManager } from '@jobnik/manager/testing';
import { ProducerClient, WorkerClient, type WorkerOptions } from '../../src/index.js';

export interface ManagerFixture {
  readonly manager: TestManager;
  readonly url: string;
  producer(): ProducerClient;
  worker(options?: Partial<WorkerOptions>): WorkerClient;
  /** A stage-type name unique to this run, so tests sharing a manager never take each other's tasks. */
  unique(name: string): string;
}

/** Registers beforeAll/afterAll/afterEach hooks for one store and returns the fixture. */
export function useManager(store: StoreKind, config: Parameters<typeof startTestManager>[0]['config'] = {}): ManagerFixture {
  let manager: TestManager | undefined;
  const workers: WorkerClient[] = [];
  const producers: ProducerClient[] = [];
  beforeAll(async () => {
    manager = await startTestManager({ store, config: { tasks: { sweepIntervalMs: 200 }, ...config } });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop({ graceMs: 1000 })));
    await Promise.all(producers.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    await manager?.close();
  });
  return {
    get manager() {
      if (!manager) throw new Error('manager not started');
      return manager;
    },
    get url() {
      return this.manager.url;
    },
    producer() {
      const p = new ProducerClient({ baseUrl: this.url });
      producers.push(p);
      return p;
    },
    worker(options = {}) {
      const w = new WorkerClient({ baseUrl: this.url, waitMs: 2_000, heartbeatIntervalMs: 250, ...options });
      workers.push(w);
      return w;
    },
    unique(name) {
      return `${name}-${randomBytes(4).toString('hex')}`;
    },
  };
}
