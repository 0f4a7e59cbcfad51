// How long the database's xmin horizon has been held, for /metrics. PostgreSQL tells when a holder began for the
// sessions this role may see and for prepared transactions; for the rest — another role's session without
// pg_monitor, a replication slot — the watch dates a holder from the first reading that found it holding the same
// horizon (a lower bound, within one scrape interval), so a stuck holder still shows its age.
import type { Db } from '../db/db.js';
import { readHorizonHolders } from '../store/xmin-horizon.js';

export interface XminHorizon {
  /** Seconds the oldest holder has held the horizon (0 when nothing but short statements holds it). */
  holderAgeSeconds: number;
  /** Transaction ids the horizon lags behind the next one. */
  ageTransactions: number;
}

export class XminHorizonWatch {
  /** When each holder without a known start was first found (performance.now()), by its key. */
  private firstSeen = new Map<string, number>();

  constructor(private readonly db: Db) {}

  /** On PostgreSQL: the embedded store has one session, the manager's own. */
  get enabled(): boolean {
    return this.db.kind === 'postgres';
  }

  async read(): Promise<XminHorizon> {
    const holders = await readHorizonHolders(this.db);
    const now = performance.now();
    const seen = new Map<string, number>();
    let ageSeconds = 0;
    let ageTransactions = 0;
    for (const h of holders) {
      ageTransactions = Math.max(ageTransactions, h.ageTransactions);
      if (h.ageSeconds !== null) {
        ageSeconds = Math.max(ageSeconds, h.ageSeconds);
        continue;
      }
      const since = this.firstSeen.get(h.key) ?? now;
      seen.set(h.key, since);
      ageSeconds = Math.max(ageSeconds, (now - since) / 1000);
    }
    // Holders no longer found are forgotten: one that comes back holds a new horizon.
    this.firstSeen = seen;
    return { holderAgeSeconds: ageSeconds, ageTransactions };
  }
}
