// PostgreSQL adapter: a pg Pool for queries and transactions, one dedicated client for LISTEN.
import pg from 'pg';
import type { Logger } from 'pino';
import { type ConflictRetryListener, errorLine, isConflict, isConnectionError, retryConflicts, type Db, type Queryable, type Row, type Statement, withTxRetry } from './db.js';

export interface PgDbOptions {
  url: string;
  poolSize: number;
  /** idle_in_transaction_session_timeout of the pool's sessions (config database.idleInTransactionTimeoutMs); 0 = none. */
  idleInTransactionTimeoutMs?: number;
  /** How long connecting, or waiting for a pooled connection, may take (config database.connectTimeoutMs); 0 = no limit. */
  connectTimeoutMs?: number;
  /** How long one statement, or one transaction, may hold its connection before it is dropped (config database.queryTimeoutMs); 0 = no limit. */
  queryTimeoutMs?: number;
  logger: Logger;
  applicationName?: string;
}

/**
 * The pool's share kept for statements planned generically: a quarter (at least one), when the pool has 4 connections
 * or more; smaller pools stay whole.
 */
export function genericPoolSize(poolSize: number): number {
  return poolSize >= 4 ? Math.ceil(poolSize / 4) : 0;
}

/**
 * A connection of the pool is free, or one more may be opened. (An idle connection stays counted idle until the pool
 * hands it to a waiting checkout on the next tick: checkouts already waiting have claimed that many.)
 */
function hasRoom(pool: pg.Pool): boolean {
  return pool.idleCount > pool.waitingCount || pool.totalCount < (pool.options.max ?? 10);
}

/** Idle time before TCP keepalive probes a connection (the LISTEN connection is idle most of its life). */
const KEEPALIVE_IDLE_MS = 10_000;

function toConfig(sql: string | Statement, params: readonly unknown[] | undefined): pg.QueryConfig {
  return typeof sql === 'string' ? { text: sql, values: params as unknown[] } : { name: sql.name, text: sql.text, values: params as unknown[] };
}

class PgQueryable implements Queryable {
  constructor(private readonly client: pg.PoolClient) {}
  async query<R = Row>(sql: string | Statement, params?: readonly unknown[]): Promise<R[]> {
    const res = await this.client.query(toConfig(sql, params));
    return res.rows as R[];
  }
  async exec(script: string): Promise<void> {
    await this.client.query(script);
  }
}

export class PgDb implements Db {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  /** Sessions that plan generically, for statements marked `plan: 'generic'` (the pool itself when it is too small to split). */
  private readonly genericPool: pg.Pool;
  private listener: pg.Client | null = null;
  private readonly channels = new Map<string, Set<(payload: string) => void>>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** Failed LISTEN reconnects since the connection was lost. */
  private listenerFailures = 0;
  private onConflictRetry: ConflictRetryListener | null = null;

  constructor(private readonly options: PgDbOptions) {
    const genericSize = genericPoolSize(options.poolSize);
    this.pool = this.newPool(options.poolSize - genericSize, '');
    this.genericPool = genericSize > 0 ? this.newPool(genericSize, ' -c plan_cache_mode=force_generic_plan') : this.pool;
  }

  private newPool(max: number, extraOptions: string): pg.Pool {
    const pool = new pg.Pool({
      connectionString: this.options.url,
      max,
      application_name: this.options.applicationName ?? 'jobnik-manager',
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 0,
      // A database host that vanished without closing the connection (a partition) is noticed by TCP keepalive,
      // probing after 10 s idle rather than the system's default two hours.
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
      // Every statement here is short OLTP; JIT compiling the hot CTEs costs ~50 ms a call at large backlogs. A session
      // idle inside a transaction for longer than the timeout belongs to a frozen process: PostgreSQL ends it.
      options: `-c jit=off -c idle_in_transaction_session_timeout=${this.options.idleInTransactionTimeoutMs ?? 0}${extraOptions}`,
    });
    // A pooled client that dies while idle must not crash the process.
    pool.on('error', (err) => this.options.logger.warn({ err }, 'idle PostgreSQL client error'));
    return pool;
  }

  /** A statement on its own (autocommit): rolled back whole on a deadlock, so it is retried like a transaction. */
  async query<R = Row>(sql: string | Statement, params?: readonly unknown[]): Promise<R[]> {
    const pool = typeof sql !== 'string' && sql.plan === 'generic' ? this.poolFor(this.genericPool, this.pool) : undefined;
    try {
      return await this.checkedOut((c) => c.query<R>(sql, params), undefined, undefined, pool);
    } catch (err) {
      if (!isConflict(err)) throw err;
      this.onConflictRetry?.((err as { code: string }).code);
      return retryConflicts(() => this.checkedOut((c) => c.query<R>(sql, params), undefined, undefined, pool), this.onConflictRetry);
    }
  }

  /**
   * The preferred pool, unless all its connections are busy while the other has one to spare: the two pools are one
   * budget of database.poolSize connections, the plan mode only a preference.
   */
  private poolFor(preferred: pg.Pool, other: pg.Pool): pg.Pool {
    return hasRoom(preferred) || !hasRoom(other) ? preferred : other;
  }

  observeConflictRetries(listener: ConflictRetryListener): void {
    this.onConflictRetry = listener;
  }

  exec(script: string): Promise<void> {
    return this.checkedOut((c) => c.exec(script));
  }

  /**
   * Runs `run` on a pooled connection and gives it back, even after an SQL error (a conflict, a constraint, a bad
   * cast) — pg's Pool#query destroys it instead, so every such error cost a new backend and the preparation of every
   * named statement again. Only a connection that broke is dropped: its 'error' event (without a listener that event
   * would crash the process; the failing query rejects too), a connection error, or `run` setting `conn.broken`.
   * `lostDuring` names the work in the warning logged when the connection dies under it.
   *
   * Past `guardMs` (database.queryTimeoutMs) without an answer, the connection is dropped and the work fails as a lost
   * connection (503): a database host that vanished mid-statement (a node lost, a partition, a failover) would
   * otherwise hold the connection until TCP gives up, ~15 minutes, and with the pool full of such connections the
   * manager could not reach the new primary either. PostgreSQL rolls back what was cut off.
   */
  private async checkedOut<T>(run: (c: PgQueryable, conn: { broken?: Error }) => Promise<T>, lostDuring?: string, guardMs = this.options.queryTimeoutMs ?? 0, pool = this.poolFor(this.pool, this.genericPool)): Promise<T> {
    const client = await pool.connect();
    const conn: { broken?: Error } = {};
    const onError = (err: Error): void => {
      conn.broken = err;
      if (lostDuring) this.options.logger.warn({ err }, `PostgreSQL connection lost during ${lostDuring}`);
    };
    client.on('error', onError);
    const guard =
      guardMs > 0
        ? setTimeout(() => {
            conn.broken = new Error(`the database did not answer within ${guardMs} ms (database.queryTimeoutMs); connection dropped`);
            this.options.logger.warn({ queryTimeoutMs: guardMs, during: lostDuring ?? 'a statement' }, 'the database did not answer in time; dropping the connection');
            (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
          }, guardMs)
        : null;
    try {
      return await run(new PgQueryable(client), conn);
    } catch (err) {
      if (!conn.broken && isConnectionError(err)) conn.broken = err as Error;
      throw err;
    } finally {
      if (guard) clearTimeout(guard);
      client.off('error', onError);
      client.release(conn.broken);
    }
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>, options: { unbounded?: boolean } = {}): Promise<T> {
    return withTxRetry(
      () =>
        this.checkedOut(async (c, conn) => {
          try {
            await c.query('BEGIN');
            const result = await fn(c);
            await c.query('COMMIT');
            return result;
          } catch (err) {
            if (!conn.broken && !isConnectionError(err)) await c.query('ROLLBACK').catch((e: unknown) => (conn.broken = e as Error));
            throw err;
          }
        }, 'a transaction', options.unbounded ? 0 : undefined),
      this.onConflictRetry,
    );
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    let set = this.channels.get(channel);
    if (!set) {
      set = new Set();
      this.channels.set(channel, set);
      if (this.listener) await this.listener.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    }
    set.add(onPayload);
    if (!this.listener) await this.connectListener();
    return async () => {
      set.delete(onPayload);
    };
  }

  /** One long-lived connection carries every LISTEN; it reconnects (and re-LISTENs) when it drops. */
  private async connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url, application_name: 'jobnik-manager-listen', connectionTimeoutMillis: this.options.connectTimeoutMs ?? 0, keepAlive: true, keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS });
    client.on('notification', (msg) => {
      const handlers = this.channels.get(msg.channel);
      if (handlers) for (const h of handlers) h(msg.payload ?? '');
    });
    client.on('error', (err) => {
      this.options.logger.warn({ err }, 'LISTEN connection lost; reconnecting');
      this.listener = null;
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    });
    await client.connect();
    for (const channel of this.channels.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    this.listener = client;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connectListener().then(
        () => {
          if (this.listenerFailures > 0) this.options.logger.info({ failedTries: this.listenerFailures }, 'LISTEN connection restored');
          this.listenerFailures = 0;
        },
        (err: unknown) => {
          // Once per outage: it tries every 500 ms for as long as the database is away.
          if (this.listenerFailures++ === 0) this.options.logger.warn({ error: errorLine(err) }, 'LISTEN reconnect failed; trying again every 500 ms (logged once until it succeeds)');
          this.scheduleReconnect();
        },
      );
    }, 500);
    this.reconnectTimer.unref();
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.listener?.end().catch(() => undefined);
    await this.pool.end();
    if (this.genericPool !== this.pool) await this.genericPool.end();
  }
}
