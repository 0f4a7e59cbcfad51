// The one storage seam: a Db runs SQL, transactions and LISTEN on PostgreSQL (pg) or PGlite alike.

import { inTxSpan } from '../telemetry/tracer.js';

export type Row = Record<string, unknown>;

/**
 * A statement with a stable name runs as a named prepared statement on both stores (parsed once per connection,
 * planned by PostgreSQL's plan cache): give one to every statement the hot paths run per task or per job. A name
 * must always carry the same text.
 */
export interface Statement {
  name: string;
  text: string;
  /**
   * 'generic': on PostgreSQL, run on its own (autocommit) on a session that reuses one generic plan
   * (plan_cache_mode = force_generic_plan) instead of planning anew per call. For a statement whose planning costs
   * more than a generic plan loses, at every parameter it is given (measured, e.g. the dequeue's round without limits).
   */
  plan?: 'generic';
}

export interface Queryable {
  query<R = Row>(sql: string | Statement, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export type DbKind = 'postgres' | 'pglite';

export interface Db extends Queryable {
  readonly kind: DbKind;
  /**
   * Runs fn in one transaction; retried on serialization failures and deadlocks. `unbounded`: not cut off by
   * database.queryTimeoutMs (migrations, which may build indexes for minutes or wait for another replica's).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: { unbounded?: boolean }): Promise<T>;
  /** Subscribes to a NOTIFY channel; returns the unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Whether the database answers right now. */
  ping(): Promise<boolean>;
  /** Hears every retry of a statement or transaction PostgreSQL rolled back for a deadlock or serialization conflict. */
  observeConflictRetries(listener: ConflictRetryListener): void;
  close(): Promise<void>;
}

const statementTexts = new Map<string, string>();

/** A named statement; a name given a second, different text is refused (a prepared name would run the first). */
export function statement(name: string, text: string, options: { plan?: 'generic' } = {}): Statement {
  const known = statementTexts.get(name);
  if (known !== undefined && known !== text) throw new Error(`statement ${name} is already defined with another text`);
  statementTexts.set(name, text);
  return { name, text, ...options };
}

/**
 * Network errors on the way to the database (refused, reset, timed out, no route, a name not resolvable yet) and
 * PostgreSQL's "too many clients already" (53300).
 */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', '53300']);

/**
 * Whether an error means the database connection itself is gone or unreachable (server shut down, starting or
 * restarted, socket broken, connection refused, pool could not connect): the work was not done; retry later.
 */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (/^(08|57P0)/.test(code) || UNREACHABLE.has(code))) return true;
  return err instanceof Error && /Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(err.message);
}

/** An error as one line: its message (or, for a connection tried on several addresses, theirs) and its code. */
export function errorLine(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const inner = err instanceof AggregateError ? err.errors.map((e) => errorLine(e)).join('; ') : '';
  const message = err.message || inner || err.name;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

export type ConflictRetryListener = (sqlState: string) => void;

/** Serialization failure and deadlock: PostgreSQL rolled the statement (or transaction) back whole; running it again is safe. */
const CONFLICTS = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

export function isConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONFLICTS.has(code);
}

/**
 * Runs `run` again, after a short random pause, while it fails with a deadlock or serialization conflict (at most
 * MAX_ATTEMPTS in all); every hot statement and every transaction goes through here. The last conflict is thrown:
 * http/problem.ts answers it 503 with Retry-After.
 */
export async function retryConflicts<T>(run: () => Promise<T>, onRetry: ConflictRetryListener | null): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!isConflict(err) || attempt >= MAX_ATTEMPTS) throw err;
      onRetry?.((err as { code: string }).code);
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}

/** A transaction body, retried on conflicts, in a span of its own. */
export function withTxRetry<T>(run: () => Promise<T>, onRetry: ConflictRetryListener | null): Promise<T> {
  return retryConflicts(() => inTxSpan('db.transaction', run), onRetry);
}
