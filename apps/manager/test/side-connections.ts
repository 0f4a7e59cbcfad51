// Two connections of a test's own beside a manager's pool, to its database: `side` holds rows or transactions the
// manager must wait on, `observer` reads pg_stat_activity (inside side's transaction its snapshot would not change).
import pg from 'pg';

export interface SideConnections {
  side: pg.Client;
  observer: pg.Client;
  end(): Promise<void>;
}

export async function sideConnections(databaseUrl: string): Promise<SideConnections> {
  const side = new pg.Client({ connectionString: databaseUrl });
  const observer = new pg.Client({ connectionString: databaseUrl });
  await side.connect();
  await observer.connect();
  return { side, observer, end: async () => void (await Promise.all([side.end(), observer.end()])) };
}
