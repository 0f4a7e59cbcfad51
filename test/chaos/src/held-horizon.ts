// A held xmin horizon, as a forgotten `psql` session in an open transaction makes one: a session of its own that
// took a transaction id and then sits idle in transaction. While it does, no row version that died after it began
// can be removed — the tasks table and its indexes fill with the dead versions of every lease, ack and retry.
import pg from 'pg';

export class HeldHorizon {
  private constructor(
    private readonly client: pg.Client,
    readonly pid: number,
    readonly xid: string,
  ) {}

  static async hold(databaseUrl: string): Promise<HeldHorizon> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    client.on('error', () => undefined); // a check() reports a session that went away
    await client.query('BEGIN');
    await client.query('SELECT pg_current_xact_id()');
    const { rows } = await client.query<{ pid: number; xid: string }>('SELECT pid, backend_xid::text AS xid FROM pg_stat_activity WHERE pid = pg_backend_pid()');
    return new HeldHorizon(client, rows[0]!.pid, rows[0]!.xid);
  }

  /**
   * Whether the session still holds the horizon, as another connection sees it: idle in transaction with its
   * transaction id, and no other transaction in the database older than it (so it is what holds vacuum back).
   */
  async stillHeld(databaseUrl: string): Promise<{ held: boolean; state: string | null; oldestXid: string | null }> {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      const { rows } = await c.query<{ state: string | null; xid: string | null; oldest: string | null }>(
        `SELECT a.state, a.backend_xid::text AS xid,
                (SELECT min(x.backend_xid::text::bigint)::text FROM pg_stat_activity x WHERE x.backend_xid IS NOT NULL AND x.datname = a.datname) AS oldest
         FROM pg_stat_activity a WHERE a.pid = $1`,
        [this.pid],
      );
      const row = rows[0];
      const state = row?.state ?? null;
      return { held: state === 'idle in transaction' && row?.xid === this.xid && row?.oldest === this.xid, state, oldestXid: row?.oldest ?? null };
    } finally {
      await c.end();
    }
  }

  async release(): Promise<void> {
    await this.client.query('ROLLBACK').catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}
