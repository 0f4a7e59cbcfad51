// A manager database that forwards every call to the real one and lets a test watch its statements and transactions.
import type { Db, Row, Statement } from '../src/db/db.js';

export interface DbSpy {
  /** Hears a statement about to run outside a transaction (whether it then succeeds or fails). */
  beforeQuery?(sql: string | Statement): void;
  /** Hears a statement run outside a transaction, after it answered with its rows. */
  afterQuery?(sql: string | Statement, rows: Row[]): void;
  /** Hears a transaction being opened. */
  onTransaction?(): void;
}

export function spyDb(db: Db, spy: DbSpy): Db {
  return {
    kind: db.kind,
    async query(sql, params) {
      spy.beforeQuery?.(sql);
      const rows = await db.query(sql, params);
      spy.afterQuery?.(sql, rows);
      return rows as never;
    },
    exec: (script) => db.exec(script),
    transaction: (fn) => {
      spy.onTransaction?.();
      return db.transaction(fn);
    },
    listen: (channel, onPayload) => db.listen(channel, onPayload),
    ping: () => db.ping(),
    observeConflictRetries: (listener) => db.observeConflictRetries(listener),
    close: () => db.close(),
  };
}
