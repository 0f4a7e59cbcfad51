// The xmin horizon: the oldest transaction whose snapshot or id keeps PostgreSQL from removing the row versions
// that died after it began. While one is held (a session idle in a transaction, a long report, a prepared
// transaction, a replication slot or a standby's feedback), every lease and ack leaves dead versions behind that
// no vacuum can remove until it ends: the tables and their indexes grow and throughput falls.
import { statement, type Queryable } from '../db/db.js';

export interface XminHorizon {
  /**
   * Seconds since the oldest transaction holding the horizon in this database began (sessions: xact_start;
   * prepared transactions: when prepared). 0 when none is open. Sessions of other roles count only when this role
   * may see their xact_start (pg_read_all_stats, e.g. through pg_monitor).
   */
  holderAgeSeconds: number;
  /** How many transaction ids the horizon lags behind: also counts replication slots, which carry no time. */
  ageTransactions: number;
}

/*
 * This database's sessions and the WAL senders (a standby's hot_standby_feedback holds every database back) with a
 * snapshot (backend_xmin) or an id (backend_xid: a transaction idle after a write holds no snapshot, but every
 * snapshot taken meanwhile starts at or before it); prepared transactions of this database; replication slots.
 * (This reading's own session is left out.) age() counts from the next transaction id without taking one.
 */
const XMIN_HORIZON = statement(
  'jobnik_xmin_horizon',
  `WITH holders AS (
     SELECT a.xact_start AS since, greatest(age(a.backend_xmin), age(a.backend_xid)) AS age_xids
     FROM pg_stat_activity a
     WHERE (a.backend_xmin IS NOT NULL OR a.backend_xid IS NOT NULL) AND a.pid <> pg_backend_pid()
       AND (a.datname = current_database() OR a.backend_type = 'walsender')
     UNION ALL
     SELECT p.prepared, age(p.transaction) FROM pg_prepared_xacts p WHERE p.database = current_database()
     UNION ALL
     SELECT NULL, age(s.xmin) FROM pg_replication_slots s WHERE s.xmin IS NOT NULL
   )
   SELECT coalesce(extract(epoch FROM clock_timestamp() - min(since)), 0)::float8 AS holder_age_s,
          coalesce(max(age_xids), 0)::int8 AS age_xids
   FROM holders`,
);

export async function readXminHorizon(db: Queryable): Promise<XminHorizon> {
  const [row] = await db.query<{ holder_age_s: number; age_xids: string }>(XMIN_HORIZON);
  return { holderAgeSeconds: Math.max(0, row!.holder_age_s), ageTransactions: Number(row!.age_xids) };
}
