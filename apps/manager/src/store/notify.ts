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
  await tx.query(`SELECT pg_notify($1, p) FROM (${readyPayloadSql('$2', '$3')}) w`, [channel, stageTypes, sinceNow]);
}

/** A query of one column p: the ready wake-up's payload for the stage types (text[]), NULL when there are none. */
export function readyPayloadSql(typesParam: string, sinceNowParam: string): string {
  return `SELECT json_agg(json_build_array(t,
       CASE WHEN ${sinceNowParam}::boolean THEN to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END))::text AS p
     FROM unnest(${typesParam}::text[]) AS t`;
}
