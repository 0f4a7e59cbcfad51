// NOTIFY inside a transaction: PostgreSQL delivers it to every listener when the transaction commits.
import type { Queryable } from '../db/db.js';

export async function notify(tx: Queryable, channel: string, payload: string): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [channel, payload]);
}
