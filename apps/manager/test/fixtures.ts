// Per-describe fixtures: a manager on a fresh database with an HTTP client, and side connections to its
// PostgreSQL database (one to hold locks in a transaction, one to watch pg_stat_activity from outside it).
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { DeepPartial, ManagerConfig } from '../src/config.js';
import { startTestManager, type StoreKind, type TestManager } from '../src/testing.js';
import { api, type Api } from './api.js';

export interface ManagerFixture {
  readonly m: TestManager;
  readonly a: Api;
}

/** Starts a manager before the block's tests and closes it after them. */
export function useManager(store: StoreKind, config?: DeepPartial<ManagerConfig>): ManagerFixture {
  const fixture = {} as { m: TestManager; a: Api };
  beforeAll(async () => {
    fixture.m = await startTestManager({ store, ...(config ? { config } : {}) });
    fixture.a = api(fixture.m.url);
  });
  afterAll(() => fixture.m?.close());
  return fixture;
}

export interface SideClients extends ManagerFixture {
  /** Holds locks inside a transaction, as another application would. */
  readonly side: pg.Client;
  /** Watches pg_stat_activity (inside side's transaction its snapshot would not change). */
  readonly observer: pg.Client;
}

/** A PostgreSQL manager plus two plain connections to its database. */
export function useManagerWithSideClients(): SideClients {
  const fixture = {} as { m: TestManager; a: Api; side: pg.Client; observer: pg.Client };
  beforeAll(async () => {
    fixture.m = await startTestManager({ store: 'postgres' });
    fixture.a = api(fixture.m.url);
    for (const name of ['side', 'observer'] as const) {
      fixture[name] = new pg.Client({ connectionString: fixture.m.databaseUrl! });
      await fixture[name].connect();
    }
  });
  afterAll(async () => {
    await fixture.side?.end();
    await fixture.observer?.end();
    await fixture.m?.close();
  });
  return fixture;
}
