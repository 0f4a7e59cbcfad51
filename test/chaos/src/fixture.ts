// The setup the in-process chaos tests share: a manager on a fresh store, a producer, and a directory where
// worker processes log their executions; all torn down (children killed first) after the file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startTestManager, type StoreKind, type TestManager } from '@jobnik/manager/testing';
import { ProducerClient } from '@jobnik/sdk';
import { killAllChildren } from './children.js';

export interface ChaosFixture {
  readonly manager: TestManager;
  readonly producer: ProducerClient;
  readonly logDir: string;
}

/** Registers beforeAll/afterAll for the current describe block; read the fields inside tests. */
export function useChaosFixture(store: StoreKind, name: string): ChaosFixture {
  let manager: TestManager | undefined;
  let producer: ProducerClient | undefined;
  let logDir: string | undefined;
  beforeAll(async () => {
    manager = await startTestManager({ store, config: { tasks: { sweepIntervalMs: 200 } } });
    producer = new ProducerClient({ baseUrl: manager.url });
    logDir = mkdtempSync(join(tmpdir(), `jobnik-chaos-${name}-`));
  });
  afterAll(async () => {
    killAllChildren();
    await producer?.close();
    await manager?.close();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the chaos fixture is used before beforeAll ran');
    return v;
  };
  return {
    get manager() {
      return ready(manager);
    },
    get producer() {
      return ready(producer);
    },
    get logDir() {
      return ready(logDir);
    },
  };
}
