// The xmin horizon: the oldest transaction whose snapshot or id keeps PostgreSQL from removing the row versions
// that died after it began. While one is held (a session idle in a transaction, a long report, a prepared
// transaction, a replication slot or a standby's feedback), every lease and ack leaves dead versions behind that
// no vacuum can remove until it ends: the tables and their indexes grow and throughput falls.
import { statement, type Queryable } from '../db/db.js';

/** One thing that holds the horizon back now. */
export interface HorizonHolder {
  /** Stable while it holds the same horizon: the session and its xmin/xid, the prepared transaction, the slot and its xmin. */
  key: string;
  /**
   * Seconds it has held it, where PostgreSQL tells (on its clock): since a session's xact_start (visible for other
   * roles' sessions only with pg_read_all_stats, e.g. through pg_monitor), since a prepared transaction was
   * prepared. Null for a slot, or a session whose start this role may not see.
   */
  ageSeconds: number | null;
  /** How many transaction ids it lags behind the next one. */
  ageTransactions: number;
}

/*
 * This database's sessions and the WAL senders (a standby's hot_standby_feedback holds every database back) with a
 * snapshot (backend_xmin) or an id (backend_xid: a transaction idle after a write holds no snapshot, but every
 * snapshot taken meanwhile starts at or before it) — both visible to every role —, prepared transactions of this
 * database, replication slots. This reading's own session is left out. age() counts from the next transaction id
 * without taking one.
 */
const HORIZON_HOLDERS = statement(
  'jobnik_xmin_horizon_holders',
  `SELECT 'session:' || a.pid || ':' || coalesce(a.backend_xid::text, '') || ':' || coalesce(a.backend_xmin::text, '') AS key,
          extract(epoch FROM clock_timestamp() - a.xact_start)::float8 AS age_s, greatest(age(a.backend_xmin), age(a.backend_xid))::int8 AS age_xids
   FROM pg_stat_activity a
   WHERE (a.backend_xmin IS NOT NULL OR a.backend_xid IS NOT NULL) AND a.pid <> pg_backend_pid()
     AND (a.datname = current_database() OR a.backend_type = 'walsender')
   UNION ALL
   SELECT 'prepared:' || p.gid, extract(epoch FROM clock_timestamp() - p.prepared)::float8, age(p.transaction)::int8 FROM pg_prepared_xacts p WHERE p.database = current_database()
   UNION ALL
   SELECT 'slot:' || s.slot_name || ':' || s.xmin::text, NULL, age(s.xmin)::int8 FROM pg_replication_slots s WHERE s.xmin IS NOT NULL`,
);

export async function readHorizonHolders(db: Queryable): Promise<HorizonHolder[]> {
  const rows = await db.query<{ key: string; age_s: number | null; age_xids: string }>(HORIZON_HOLDERS);
  return rows.map((r) => ({ key: r.key, ageSeconds: r.age_s === null ? null : Math.max(0, r.age_s), ageTransactions: Number(r.age_xids) }));
}
