// Completions and failures per tenant and second, cluster-wide: each replica counts what its acks and its
// sweeper finished, writes the counts every second (throughput_samples), and GET /stats sums every replica's
// rows for the caller's tenant. A figure is at most one flush interval behind.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { pruneSamples, readSamples, writeSamples, type Sample, type Tally } from '../store/throughput.js';

const HOUR = 3600;
/** Samples are kept this long (the longest window read is an hour). */
const KEEP_SECONDS = 2 * HOUR;

export interface ThroughputFigures {
  completedLastMinute: number;
  failedLastMinute: number;
  /** Completions in each of the last 60 whole seconds, oldest first. */
  completedPerSecond: number[];
  failuresLastHour: number;
}

export class Throughput {
  private readonly replica = randomUUID();
  private pending = new Map<string, Sample>();
  private flushes = 0;

  constructor(private readonly db: Db) {}

  /** Counts finished tasks now (in memory until the next flush). */
  record(tallies: readonly Tally[], now = Date.now()): void {
    const at = Math.floor(now / 1000);
    for (const t of tallies) {
      const key = `${at}/${t.tenant}`;
      const s = this.pending.get(key);
      if (s) {
        s.completed += t.completed;
        s.failed += t.failed;
      } else {
        this.pending.set(key, { tenant: t.tenant, at, completed: t.completed, failed: t.failed });
      }
    }
  }

  /** Writes what was counted since the last flush; now and then prunes old samples. */
  async flush(now = Date.now()): Promise<void> {
    const samples = [...this.pending.values()];
    this.pending = new Map();
    try {
      await writeSamples(this.db, this.replica, samples);
    } catch (err) {
      // Kept for the next flush: a database outage delays the figures, it does not lose them.
      for (const s of samples) this.record([{ tenant: s.tenant, completed: s.completed, failed: s.failed }], s.at * 1000);
      throw err;
    }
    if (this.flushes++ % 60 === 0) await pruneSamples(this.db, Math.floor(now / 1000) - KEEP_SECONDS);
  }

  async figures(scope: TenantScope, now = Date.now()): Promise<ThroughputFigures> {
    const nowSec = Math.floor(now / 1000);
    const rows = await readSamples(this.db, scope, nowSec - HOUR + 1);
    const bySec = new Map(rows.map((r) => [r.at, r]));
    const completedPerSecond: number[] = [];
    for (let s = nowSec - 60; s < nowSec; s++) completedPerSecond.push(bySec.get(s)?.completed ?? 0);
    let completedLastMinute = 0;
    let failedLastMinute = 0;
    let failuresLastHour = 0;
    for (const r of rows) {
      failuresLastHour += r.failed;
      if (r.at > nowSec - 60) {
        completedLastMinute += r.completed;
        failedLastMinute += r.failed;
      }
    }
    return { completedLastMinute, failedLastMinute, completedPerSecond, failuresLastHour };
  }
}
