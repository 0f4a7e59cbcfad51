// At start PostgreSQL may not be up yet (a pod scheduled before its database, a failover under way, a compose file
// started at once): the manager waits for it, retrying with backoff and saying so, instead of dying at the first
// refused connection and leaving the next try to a crash loop's growing backoff. What waiting cannot fix (a wrong
// password, a database that does not exist) ends the start at once, in one line.
import type { Logger } from 'pino';
import { delay } from '../delay.js';
import { DatabaseStartError } from './database-start-error.js';
import { errorLine, isConnectionError, type Queryable } from './db.js';

const FIRST_PAUSE_MS = 250;
const MAX_PAUSE_MS = 5_000;

/** Where the database is, for messages: host, port and database name of the URL, never its credentials. */
export function databaseTarget(url: string): string {
  try {
    const u = new URL(url);
    const host = u.searchParams.get('host') ?? (u.hostname || 'localhost');
    return `${host}:${u.port || '5432'}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return 'DATABASE_URL';
  }
}

export async function waitForDatabase(db: Queryable, o: { waitMs: number; target: string; logger: Logger }): Promise<void> {
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await db.query('SELECT 1');
      if (attempt > 1) o.logger.info({ database: o.target, waitedMs: Math.round(performance.now() - started) }, 'database reachable');
      return;
    } catch (err) {
      if (!isConnectionError(err)) throw new DatabaseStartError(`the database at ${o.target} refused the manager: ${errorLine(err)}`, { cause: err });
      const waited = performance.now() - started;
      if (waited >= o.waitMs) {
        const within = o.waitMs > 0 ? ` within ${o.waitMs / 1000} s (database.startupWaitMs)` : '';
        throw new DatabaseStartError(`the database at ${o.target} did not answer${within}: ${errorLine(err)}`, { cause: err });
      }
      const pause = Math.min(FIRST_PAUSE_MS * 2 ** (attempt - 1), MAX_PAUSE_MS, o.waitMs - waited);
      o.logger.warn({ database: o.target, attempt, retryInMs: Math.round(pause), error: errorLine(err) }, 'database not reachable yet; waiting for it');
      await delay(pause);
    }
  }
}
