// A part of a transaction that may fail alone: on an error its statements are rolled back and the transaction goes
// on (PostgreSQL refuses every later statement of a transaction whose statement failed, unless it rolls back to a
// savepoint taken before).
import type { Queryable } from '../db/db.js';

/** Runs `fn` inside a savepoint of `tx`; if it throws, rolls back to the savepoint and rethrows. */
export async function inSavepoint<T>(tx: Queryable, fn: () => Promise<T>): Promise<T> {
  await tx.query('SAVEPOINT jobnik_part');
  try {
    const result = await fn();
    await tx.query('RELEASE SAVEPOINT jobnik_part');
    return result;
  } catch (err) {
    await tx.query('ROLLBACK TO SAVEPOINT jobnik_part');
    throw err;
  }
}
