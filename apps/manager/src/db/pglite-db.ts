// Embedded PGlite adapter: the same SQL on an in-process PostgreSQL (WASM), data in a local directory.
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import type { Transaction } from '@electric-sql/pglite';
import type { WasmCompiler } from './embedded.js';
import { initDataDir } from './pglite-initdb.js';
import { type ConflictRetryListener, type Db, type Queryable, type Row, type Statement, withTxRetry } from './db.js';

function textOf(sql: string | Statement): string {
  return typeof sql === 'string' ? sql : sql.text;
}

/**
 * V8 runs WebAssembly compiled by Liftoff, its baseline compiler, and recompiles hot functions with TurboFan. For
 * PostgreSQL's module the optimized copies cost ~50 MB of the manager's memory (bench:throughput on PGlite, N = 20,000,
 * 4 worker processes: peak RSS 232–275 MB with Liftoff only vs 282–331 MB) and bought no measurable throughput there
 * (paired runs level), but a 10,000-task create is faster optimized (400–500 vs 650–700 ms). The flag is
 * process-wide and read when a module is compiled: set it before PGlite's.
 */
function useWasmCompiler(compiler: WasmCompiler): void {
  setFlagsFromString(compiler === 'baseline' ? '--liftoff-only' : '--no-liftoff-only');
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
   * wasmCompiler: how V8 compiles PostgreSQL's WebAssembly (see useWasmCompiler).
   */
  static async open(dataDir: string, options: { sharedBuffers?: string; wasmCompiler?: WasmCompiler } = {}): Promise<PgliteDb> {
    if (!dataDir.startsWith('memory://')) await initDataDir(dataDir);
    const conf = options.sharedBuffers ? [`shared_buffers = '${options.sharedBuffers}'`] : [];
    const compiler = options.wasmCompiler ?? 'baseline';
    const create = async (c: WasmCompiler) => {
      useWasmCompiler(c);
      return new PgliteDb(await PGlite.create(dataDir, { postgresqlconf: conf }));
    };
    try {
      return await create(compiler);
    } catch (err) {
      // The baseline compiler alone could not compile the module (a CPU it has no code for): the optimizing one can.
      if (compiler !== 'baseline' || (err as Error).name !== 'CompileError') throw err;
      return create('optimizing');
    }
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
