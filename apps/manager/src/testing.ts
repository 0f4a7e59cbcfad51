// Test support: a manager on a fresh database (a throwaway PostgreSQL database or in-memory PGlite).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import pg from 'pg';
import pino from 'pino';
import type { DeepPartial, ManagerConfig } from './config.js';
import { startManager, type StartedManager } from './server.js';

export type StoreKind = 'pglite' | 'postgres';

export const TEST_PG_ADMIN_URL = process.env.JOBNIK_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

/** The stores tests run against: JOBNIK_TEST_STORES=pglite,postgres (default both). */
export function testStores(): StoreKind[] {
  const raw = process.env.JOBNIK_TEST_STORES ?? 'pglite,postgres';
  return raw.split(',').map((s) => s.trim()).filter((s): s is StoreKind => s === 'pglite' || s === 'postgres');
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database for one test file, on the test PostgreSQL (or on the server of `adminUrl`, e.g. a cluster of the test's own). */
export async function createTestDatabase(adminUrl: string = TEST_PG_ADMIN_URL): Promise<TestDatabase> {
  const name = `jobnik_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestManager {
  url: string;
  store: StoreKind;
  /** The database URL (postgres) or null (in-memory PGlite). */
  databaseUrl: string | null;
  manager: StartedManager;
  /** Takes the HTTP listener down; the data stays. */
  stopHttp(): Promise<void>;
  /** Brings the listener back on the same port. */
  startHttp(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestManager(options: { store: StoreKind; config?: DeepPartial<ManagerConfig> }): Promise<TestManager> {
  const database = options.store === 'postgres' ? await createTestDatabase() : null;
  const base: DeepPartial<ManagerConfig> = {
    http: { host: '127.0.0.1', port: 0, ...options.config?.http },
    database: { url: database?.url ?? '', pgliteDir: 'memory://', poolSize: 10, ...options.config?.database },
    log: { level: (process.env.JOBNIK_TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent' },
  };
  const config = { ...options.config, ...base };
  const logger = pino({ level: config.log?.level ?? 'silent' });
  const manager = await startManager(config, logger);
  const port = Number(new URL(manager.url).port);
  let httpUp = true;
  return {
    url: manager.url,
    store: options.store,
    databaseUrl: database?.url ?? null,
    get manager() {
      return manager;
    },
    async stopHttp() {
      if (!httpUp) return;
      await manager.app.server.close();
      manager.app.server.closeAllConnections();
      httpUp = false;
    },
    async startHttp() {
      if (httpUp) return;
      await new Promise<void>((resolve, reject) => {
        manager.app.server.once('error', reject);
        manager.app.server.listen(port, '127.0.0.1', () => resolve());
      });
      httpUp = true;
    },
    async close() {
      await manager.close();
      await database?.drop();
    },
  };
}

/** Waits on a condition with a deadline instead of sleeping: polls `predicate` until it returns something truthy. */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 20, message, onTimeout }: { timeoutMs?: number; intervalMs?: number; message?: string; onTimeout?: () => string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await predicate();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`waitFor: ${message ?? 'condition'} not met within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}${onTimeout ? `: ${onTimeout()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * A free loopback port below the kernel's ephemeral range, for a server a test stops and starts again on the same
 * port (a database down for a while): a port `listen(0)` gives is an ephemeral one, which any connection made
 * meanwhile may take as its local end, and the server could not listen on it again. Outgoing connections never
 * use a port below the range.
 */
export async function portOutsideEphemeralRange(): Promise<number> {
  const ceiling = Math.min(ephemeralLow(), 32768);
  const floor = Math.max(1024, ceiling - 12_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = floor + Math.floor(Math.random() * (ceiling - floor));
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free loopback port below the ephemeral range');
}

/** The lowest ephemeral port: Linux says (/proc); elsewhere 32768, below the usual ranges (macOS and Windows: 49152). */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}
