// Applies the numbered .sql files in ../migrations in order, once each, under a lock so replicas can race.
import { readFileSync, readdirSync } from 'node:fs';
import type { Db } from './db.js';

const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);
const LOCK_KEY = 7_311_942; // any constant: serializes concurrent migrators

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: Number(file.split('_')[0]),
      name: file.replace(/\.sql$/, ''),
      sql: readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8'),
    }));
}

/** Returns the versions it applied. */
export async function migrate(db: Db): Promise<number[]> {
  // Unbounded: an index build may take minutes, and another replica's migration holds the lock meanwhile.
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS jobnik_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM jobnik_migrations')).map((r) => r.version));
    const applied: number[] = [];
    for (const m of loadMigrations()) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO jobnik_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  }, { unbounded: true });
}
