// Embedded PGlite adapter: the same SQL on an in-process PostgreSQL (WASM), data in a local directory.
import { PGlite } from '@electric-sql/pglite';
import type { Transaction } from '@electric-sql/pglite';
import { initDataDir } from './pglite-initdb.js';
import { type ConflictRetryListener, type Db, type Queryable, type Row, type Statement, withTxRetry } from './db.js';

function textOf(sql: string | Statement): string {
  return typeof sql === 'string' ? sql : sql.text;
}

class PgliteQueryable implements Queryable {
  constructor(private readonly target: PGlite | Transaction) {}
  async query<R = Row>(sql: string | Statement, params?: readonly unknown[]): Promise<R[]> {
    const res = await this.target.query<R>(textOf(sql), params as unknown[]);
    return res.rows;
  }
  async exec(script: string): Promise<void> {
    await this.target.exec(script);
  }
}

export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  private readonly direct: PgliteQueryable;

  private onConflictRetry: ConflictRetryListener | null = null;

  private constructor(private readonly pg: PGlite) {
    this.direct = new PgliteQueryable(pg);
  }

  /**
   * dataDir: a directory, or 'memory://' for a throwaway database. sharedBuffers: PostgreSQL's buffer cache
   * inside the WebAssembly heap (PGlite's default is 128MB; pages beyond it are read from the directory).
   */
  static async open(dataDir: string, options: { sharedBuffers?: string } = {}): Promise<PgliteDb> {
    if (!dataDir.startsWith('memory://')) await initDataDir(dataDir);
    const conf = options.sharedBuffers ? [`shared_buffers = '${options.sharedBuffers}'`] : [];
    const pg = await PGlite.create(dataDir, { postgresqlconf: conf });
    return new PgliteDb(pg);
  }

  query<R = Row>(sql: string | Statement, params?: readonly unknown[]): Promise<R[]> {
    return this.direct.query<R>(sql, params);
  }

  exec(script: string): Promise<void> {
    return this.direct.exec(script);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return withTxRetry(() => this.pg.transaction((tx) => fn(new PgliteQueryable(tx))), this.onConflictRetry);
  }

  /** One connection runs everything here, so conflicts are not expected; retries would still be reported. */
  observeConflictRetries(listener: ConflictRetryListener): void {
    this.onConflictRetry = listener;
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    return this.pg.listen(channel, onPayload);
  }

  async ping(): Promise<boolean> {
    return !this.pg.closed;
  }

  async close(): Promise<void> {
    if (!this.pg.closed) await this.pg.close();
  }
}
