// A manager database that forwards every call to the real one and lets a test watch its statements and transactions.
import type { Db, Queryable, Row, Statement } from '../src/db/db.js';

export interface DbSpy {
  /** Hears a statement about to run outside a transaction (whether it then succeeds or fails), with its parameters. */
  beforeQuery?(sql: string | Statement, params?: readonly unknown[]): void;
  /** Hears a statement about to run inside a transaction, with its parameters. */
  beforeTxQuery?(sql: string | Statement, params?: readonly unknown[]): void;
  /** Hears a statement run outside a transaction, after it answered with its rows. */
  afterQuery?(sql: string | Statement, rows: Row[]): void;
  /** Hears a transaction being opened. */
  onTransaction?(): void;
}

export function spyDb(db: Db, spy: DbSpy): Db {
  return {
    kind: db.kind,
    async query(sql, params) {
      spy.beforeQuery?.(sql, params);
      const rows = await db.query(sql, params);
      spy.afterQuery?.(sql, rows);
      return rows as never;
    },
    exec: (script) => db.exec(script),
    transaction: (fn, options) => {
      spy.onTransaction?.();
      if (!spy.beforeTxQuery) return db.transaction(fn, options);
      return db.transaction((tx) => {
        const heard: Queryable = {
          query: (sql, params) => {
            spy.beforeTxQuery!(sql, params);
            return tx.query(sql, params);
          },
          exec: (script) => tx.exec(script),
        };
        return fn(heard);
      }, options);
    },
    listen: (channel, onPayload) => db.listen(channel, onPayload),
    ping: () => db.ping(),
    observeConflictRetries: (listener) => db.observeConflictRetries(listener),
    close: () => db.close(),
  };
}
