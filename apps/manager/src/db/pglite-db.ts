// Embedded PGlite adapter: the same SQL on an in-process PostgreSQL (WASM), data in a local directory.
import { setFlagsFromString } from 'node:v8';
import { parse, PGlite, protocol } from '@electric-sql/pglite';
import type { Transaction } from '@electric-sql/pglite';
import { DataDirLock } from './data-dir-lock.js';
import { startErrorOf, usableDataDir } from './data-dir.js';
import { initDataDir } from './pglite-initdb.js';
import { type ConflictRetryListener, type Db, type Queryable, type Row, type Statement, withTxRetry } from './db.js';

/** How V8 compiles the store's WebAssembly (below: what each costs). */
export type WasmCompiler = 'baseline' | 'optimizing';

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

/** The parameter types of each named statement parsed on this PGlite backend (it is one session for its lifetime). */
type PreparedStatements = Map<string, number[]>;

/** Protocol messages sent to the backend as one buffer: it answers them in one exchange. */
function messages(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Runs a named statement (db.statement) as a prepared statement of the backend, as node-postgres does on the
 * PostgreSQL store: PGlite's query() parses and plans its text on every call, and the hot statements are big
 * (an empty dequeue: 9.8 ms through query(), 8.3 ms of it planning; 1.0 ms prepared). Parse/Describe/Sync once per
 * name, then Bind/Describe/Execute/Sync per call, each as one exchange (after an error the backend skips to the Sync,
 * and PGlite throws once all is answered), with PGlite's own serializers and result parsing (the same rows query()
 * returns). `inTransaction`: inside PGlite's transaction() (which already holds its transaction lock and syncs to
 * disk at its end).
 */
async function runPrepared<R>(pg: PGlite, prepared: PreparedStatements, st: Statement, params: readonly unknown[], inTransaction: boolean): Promise<R[]> {
  const { serialize } = protocol;
  const send = (...parts: Uint8Array[]) => pg.execProtocolStream(messages(...parts), { syncToFs: false });
  let types = prepared.get(st.name);
  if (!types) {
    types = parse.parseDescribeStatementResults(
      await send(serialize.parse({ name: st.name, text: st.text }), serialize.describe({ type: 'S', name: st.name }), serialize.sync()),
    );
    prepared.set(st.name, types);
  }
  const values = params.map((v, i) => {
    if (v === null || v === undefined) return null;
    const serializer = pg.serializers[types[i]!];
    return serializer ? serializer(v) : String(v);
  });
  const answer = await send(serialize.bind({ statement: st.name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync());
  if (!inTransaction) await pg.syncToFs();
  return (parse.parseResults(answer as never, pg.parsers)[0]?.rows ?? []) as R[];
}

class PgliteQueryable implements Queryable {
  constructor(
    private readonly pg: PGlite,
    private readonly prepared: PreparedStatements,
    private readonly tx: Transaction | null = null,
  ) {}
  async query<R = Row>(sql: string | Statement, params?: readonly unknown[]): Promise<R[]> {
    if (typeof sql === 'string') return (await (this.tx ?? this.pg).query<R>(sql, params as unknown[])).rows;
    const tx = this.tx;
    if (tx) {
      if (tx.closed) throw new Error('Transaction is closed');
      return this.pg._runExclusiveQuery(() => runPrepared<R>(this.pg, this.prepared, sql, params ?? [], true));
    }
    // As PGlite's query(): refused once closed, and run after any open transaction, alone on the backend.
    await this.pg._checkReady();
    return this.pg._runExclusiveTransaction(() => this.pg._runExclusiveQuery(() => runPrepared<R>(this.pg, this.prepared, sql, params ?? [], false)));
  }
  async exec(script: string): Promise<void> {
    await (this.tx ?? this.pg).exec(script);
  }
}

export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  private readonly direct: PgliteQueryable;
  private readonly prepared: PreparedStatements = new Map();

  private onConflictRetry: ConflictRetryListener | null = null;

  private constructor(
    private readonly pg: PGlite,
    /** The data directory's lock (none for memory://), given up on close. */
    private readonly lock: DataDirLock | null,
  ) {
    this.direct = new PgliteQueryable(pg, this.prepared);
  }

  /**
   * dataDir: a directory, or 'memory://' for a throwaway database. sharedBuffers: PostgreSQL's buffer cache
   * inside the WebAssembly heap (PGlite's default is 128MB; pages beyond it are read from the directory).
   * wasmCompiler: how V8 compiles PostgreSQL's WebAssembly (see useWasmCompiler).
   */
  static async open(given: string, options: { sharedBuffers?: string; wasmCompiler?: WasmCompiler } = {}): Promise<PgliteDb> {
    if (given.startsWith('memory://')) return PgliteDb.openIn(given, null, options);
    try {
      // Symlinks resolved: PGlite opens the real directory, and every path to one store takes the same lock.
      const dataDir = usableDataDir(given);
      return await PgliteDb.openIn(dataDir, DataDirLock.acquire(dataDir), options);
    } catch (err) {
      throw startErrorOf(given, err);
    }
  }

  private static async openIn(dataDir: string, lock: DataDirLock | null, options: { sharedBuffers?: string; wasmCompiler?: WasmCompiler }): Promise<PgliteDb> {
    try {
      if (lock) await initDataDir(dataDir);
      const conf = options.sharedBuffers ? [`shared_buffers = '${options.sharedBuffers}'`] : [];
      const compiler = options.wasmCompiler ?? 'baseline';
      const create = async (c: WasmCompiler) => {
        useWasmCompiler(c);
        return new PgliteDb(await PGlite.create(dataDir, { postgresqlconf: conf }), lock);
      };
      try {
        return await create(compiler);
      } catch (err) {
        // The baseline compiler alone could not compile the module (a CPU it has no code for): the optimizing one can.
        if (compiler !== 'baseline' || (err as Error).name !== 'CompileError') throw err;
        return await create('optimizing');
      }
    } catch (err) {
      lock?.release();
      throw err;
    }
  }

  query<R = Row>(sql: string | Statement, params?: readonly unknown[]): Promise<R[]> {
    return this.direct.query<R>(sql, params);
  }

  exec(script: string): Promise<void> {
    return this.direct.exec(script);
  }

  /** One process, one backend: nothing here can stop answering while the manager runs, so nothing is bounded. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return withTxRetry(() => this.pg.transaction((tx) => fn(new PgliteQueryable(this.pg, this.prepared, tx))), this.onConflictRetry);
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
    try {
      if (!this.pg.closed) await this.pg.close();
    } finally {
      this.lock?.release();
    }
  }
}
