// The live order of the history, once per replica: follows history_seq and hands every entry, in seq order and
// exactly once, to the streams subscribed (SSE). Seqs are taken before commit, so a seq may show up after a
// higher one (its transaction commits later) or never (it rolled back). The feed hands out only a complete
// prefix: at a gap it notes the transactions in flight and waits until they have all ended; a seq still missing
// then was rolled back and is skipped. It reads the database only while someone listens.
import type { HistoryEntry } from '@jobnik/contracts';
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { currentSnapshot, historySince, lastSeq, snapshotSettled } from '../store/history.js';

export type FeedEntry = HistoryEntry & { tenantId?: string };

export interface FeedListener {
  (entries: FeedEntry[]): void;
}

const PAGE = 1000;

export class EventFeed {
  /** Every seq ≤ horizon has been handed out (or is known to be lost). */
  private horizon = 0;
  private readonly listeners = new Set<FeedListener>();
  private timer: NodeJS.Timeout | null = null;
  private starting: Promise<void> | null = null;
  private gap: { snapshot: string; upTo: number } | null = null;
  private busy = false;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Adds a listener; resolves to the horizon it starts after (entries with greater seqs reach it live; those up
   * to it are read from the history by whoever resumes).
   */
  async subscribe(listener: FeedListener): Promise<{ horizon: number; unsubscribe: () => void }> {
    if (this.listeners.size === 0 && !this.timer) {
      this.starting ??= this.start().finally(() => (this.starting = null));
    }
    if (this.starting) await this.starting;
    this.listeners.add(listener);
    return {
      horizon: this.horizon,
      unsubscribe: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0) this.stop();
      },
    };
  }

  /** Starts following from a horizon known complete: the highest seq once every transaction in flight ended. */
  private async start(): Promise<void> {
    const top = await lastSeq(this.db);
    const snapshot = await currentSnapshot(this.db);
    for (let i = 0; i < 100 && !(await snapshotSettled(this.db, snapshot)); i++) await new Promise((r) => setTimeout(r, 20));
    this.horizon = top;
    this.gap = null;
    this.timer = setInterval(() => void this.tick(), this.pollMs);
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  close(): void {
    this.closed = true;
    this.stop();
    this.listeners.clear();
  }

  /** Reads what follows the horizon and hands out its complete prefix. */
  async tick(): Promise<void> {
    if (this.busy || this.closed || this.listeners.size === 0) return;
    this.busy = true;
    try {
      for (;;) {
        const rows = await historySince(this.db, this.horizon, PAGE, null, null);
        if (rows.length === 0) return;
        // A gap noted earlier whose transactions have all ended: what is still missing up to it was rolled back.
        const lostUpTo = this.gap && (await snapshotSettled(this.db, this.gap.snapshot)) ? this.gap.upTo : 0;
        const ready: FeedEntry[] = [];
        let next = this.horizon;
        for (const r of rows) {
          // Taken when the seqs between the horizon and it are all known: none, or only lost ones.
          if (r.seq !== next + 1 && r.seq - 1 > lostUpTo) break;
          ready.push(r);
          next = r.seq;
        }
        if (lostUpTo) this.gap = null;
        if (ready.length < rows.length && !this.gap) {
          this.gap = { snapshot: await currentSnapshot(this.db), upTo: rows[rows.length - 1]!.seq };
        }
        if (ready.length === 0) return;
        this.horizon = next;
        for (const l of this.listeners) {
          try {
            l(ready);
          } catch (err) {
            this.logger.warn({ err }, 'event stream listener failed');
          }
        }
        if (rows.length < PAGE || ready.length < rows.length) return;
      }
    } catch (err) {
      this.logger.warn({ err }, 'event feed read failed; retrying');
    } finally {
      this.busy = false;
    }
  }
}
