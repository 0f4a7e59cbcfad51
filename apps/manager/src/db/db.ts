// The one storage seam: a Db runs SQL, transactions and LISTEN on PostgreSQL (pg) or PGlite alike.

import { inTxSpan } from '../telemetry/tracer.js';

export type Row = Record<string, unknown>;

/** A statement with a stable name runs as a named prepared statement on PostgreSQL. */
export interface Statement {
  name: string;
  text: string;
}

export interface Queryable {
  query<R = Row>(sql: string | Statement, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export type DbKind = 'postgres' | 'pglite';

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** Runs fn in one transaction; retried on serialization failures and deadlocks. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Subscribes to a NOTIFY channel; returns the unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Whether the database answers right now. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function statement(name: string, text: string): Statement {
  return { name, text };
}

/**
 * Whether an error means the database connection itself is gone or unreachable (server shut down or
 * restarted, socket broken, connection refused, pool could not connect): the work was not done; retry later.
 */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (/^(08|57P0)/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(code))) return true;
  return err instanceof Error && /Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(err.message);
}

const RETRYABLE = new Set(['40001', '40P01']);
const MAX_TX_ATTEMPTS = 5;

/** Retries a transaction body on serialization failures and deadlocks (PostgreSQL rolls those back whole). */
export async function withTxRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTxSpan('db.transaction', run);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (!code || !RETRYABLE.has(code) || attempt >= MAX_TX_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}
