// NOTIFY inside a transaction: PostgreSQL delivers it to every listener when the transaction commits.
import type { Queryable } from '../db/db.js';

export async function notify(tx: Queryable, channel: string, payload: string): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

/**
 * The ready wake-up: a JSON array of [stageType, since] pairs on `channel`. since is the transaction's now() (RFC 3339
 * UTC, microseconds) when `sinceNow` — every task it made ready sorts at or after it — else null (unknown).
 */
export async function notifyReadyTypes(tx: Queryable, channel: string, stageTypes: string[], sinceNow: boolean): Promise<void> {
  await tx.query(
    `SELECT pg_notify($1, json_agg(json_build_array(t,
       CASE WHEN $3::boolean THEN to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END))::text)
     FROM unnest($2::text[]) AS t`,
    [channel, stageTypes, sinceNow],
  );
}
