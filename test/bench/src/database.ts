// A fresh PostgreSQL database per run (dropped afterwards), on the server the tests use.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? process.env.JOBNIK_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createDatabase(prefix = 'jobnik_bench'): Promise<BenchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await admin(async (c) => {
    await c.query(`CREATE DATABASE ${name}`);
    // Diagnostics: every statement of this database with its duration in the server log.
    if (process.env.BENCH_PG_LOG_STATEMENTS === '1') await c.query(`ALTER DATABASE ${name} SET log_min_duration_statement = 0`);
  });
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** The server's settings that matter for the figures, printed with them. */
export async function serverInfo(): Promise<Record<string, string>> {
  return admin(async (c) => {
    const rows = await c.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'synchronous_commit', 'shared_buffers', 'max_connections', 'fsync')`,
    );
    return Object.fromEntries(rows.rows.map((r) => [r.name, r.setting]));
  });
}

/** Server process ids of the connections to one database (their CPU time is the database's share of a run). */
export async function backendPids(databaseName: string): Promise<number[]> {
  return admin(async (c) => (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [databaseName])).rows.map((r) => r.pid));
}

/** Writes a checkpoint now (so the next one the WAL of a setup step would trigger does not fall in a measurement). */
export async function checkpoint(): Promise<void> {
  await admin((c) => c.query('CHECKPOINT'));
}

/** Checkpoints the server has made so far, timed and requested (before and after a window: how many fell in it). */
export async function checkpointCount(): Promise<number> {
  return admin(async (c) => (await c.query<{ n: number }>('SELECT (checkpoints_timed + checkpoints_req)::int AS n FROM pg_stat_bgwriter')).rows[0]!.n);
}
