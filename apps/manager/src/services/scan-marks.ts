// Where each stream of ready tasks (queue × priority) is scanned from, per replica: after the last task this
// replica leased from it. Index entries of tasks leased since then are dead but, while some session holds the
// xmin horizon, not removable; a scan from the start walks all of them on every dequeue (measured: a dequeue of
// 200 took 1 s after two minutes of a held horizon, 95 % of it in those walks). Marks are only hints: the dequeue
// statement looks behind a mark whenever the stream has too little after it, writers' wake-ups lower a mark to
// where their new ready tasks sort (or drop it), and a mark older than `rescanMs` is not used (by one dequeue, which
// scans from the start; see LOOK_TIME_FACTOR for how often that, or a look behind a mark, may happen while the
// horizon is held).
import type { ScanMark } from '../store/dequeue.js';

interface Held {
  mark: ScanMark;
  /** When the chain of marks began (the scan from the start before it). */
  at: number;
  /** When a dequeue last scanned this stream from the start or was allowed to look behind its mark. */
  lookedAt: number;
  /** Dequeues allowed to look behind the mark that are running. */
  looking: number;
  /** A dequeue scanning the stream from the start is running (the others go on from the mark meanwhile). */
  rescanning: boolean;
}

/**
 * How much of the time the walks behind a mark may take once they are costly: a dequeue that scans a stream from the
 * start, or may look behind its mark (which it does when the stream has too little after it), then comes at least this
 * many times as long after the last one as that one took, and one at a time. Such a walk passes every index entry of
 * the tasks leased since the xmin horizon was last free, and heap-fetches each: after three minutes of a held horizon,
 * seconds of reads that evict what the other dequeues and acks need (bench:xmin: a dequeue of a drained stream took
 * 1–6 s; the rate during the hold was 0.59–0.72 of before with such walks unbounded).
 */
const LOOK_TIME_FACTOR = 50;
/** A look that took less than this (no held horizon: as long as any dequeue) is not spaced: every dequeue may look. */
const LOOK_COSTLY_MS = 250;

/**
 * One dequeue's use of the marks: what it passes to the statement, and `done(leased)` when the statement has ended,
 * with the marks it leased up to (those of the streams it scanned from the start replace theirs, even if earlier, so
 * the dequeues after it go on from the tasks it found behind the old mark). `failed()` when the statement failed: its
 * claims on looks and rescans are released and its duration is not taken as the cost of a look (a dequeue cut off by a
 * database outage after a 10-s connect timeout must not make this replica stop looking behind its marks for minutes);
 * a stream it was to rescan is rescanned by the next dequeue.
 */
export interface MarkedScan {
  marks: ScanMark[];
  done(leased: readonly ScanMark[]): void;
  failed(): void;
}

const unclaimed = (marks: ScanMark[], done: (leased: readonly ScanMark[]) => void): MarkedScan => ({ marks, done, failed: () => undefined });

export class ScanMarks {
  /** Stage type → stream key (q:p) → its mark. */
  private readonly byType = new Map<string, Map<string, Held>>();
  /** How long the last dequeue that scanned from the start or looked behind a mark took (ms). */
  private lastLookMs = 0;

  /** rescanMs 0: marks off (every scan from the start). */
  constructor(
    private readonly rescanMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The marks a dequeue of these stage types scans from. A stream whose chain of marks is older than rescanMs (or than
   * the spacing of costly looks, if longer) is left out, for one dequeue at a time: that one scans it from the start.
   * While the last look was costly, a stream looked behind less than LOOK_TIME_FACTOR times its duration ago, or by a
   * dequeue still running, has its mark with b = false (no look behind it).
   */
  begin(stageTypes: readonly string[]): MarkedScan {
    if (this.rescanMs <= 0) return unclaimed([], () => undefined);
    const started = this.now();
    const costly = this.lastLookMs >= LOOK_COSTLY_MS;
    const spacing = costly ? LOOK_TIME_FACTOR * this.lastLookMs : 0;
    const oldest = started - Math.max(this.rescanMs, spacing);
    const marks: ScanMark[] = [];
    const rescans: Held[] = [];
    const looks: Held[] = [];
    for (const type of stageTypes) {
      for (const held of this.byType.get(type)?.values() ?? []) {
        if (costly && (held.looking > 0 || held.rescanning || started - held.lookedAt < spacing)) marks.push({ ...held.mark, b: false });
        else if (held.at < oldest && !held.rescanning) rescans.push(held);
        else {
          looks.push(held);
          marks.push(held.mark);
        }
      }
    }
    if (rescans.length + looks.length === 0) return unclaimed(marks, (leased) => this.advance(leased));
    for (const held of rescans) held.rescanning = true;
    for (const held of looks) held.looking++;
    const release = () => {
      for (const held of looks) held.looking--;
      for (const held of rescans) held.rescanning = false;
    };
    return {
      marks,
      failed: release,
      done: (leased) => {
        release();
        const ended = this.now();
        this.lastLookMs = ended - started;
        for (const held of looks) held.lookedAt = ended;
        for (const held of rescans) {
          held.lookedAt = ended;
          held.at = ended;
          const found = leased.find((m) => m.type === held.mark.type && m.q === held.mark.q && m.p === held.mark.p);
          if (found) held.mark = found;
        }
        this.advance(leased);
      },
    };
  }

  /** After a dequeue: the last task it leased from each stream is where the next scan starts. */
  advance(marks: readonly ScanMark[]): void {
    if (this.rescanMs <= 0) return;
    const at = this.now();
    for (const mark of marks) {
      let streams = this.byType.get(mark.type);
      if (!streams) this.byType.set(mark.type, (streams = new Map()));
      const key = `${mark.q}:${mark.p}`;
      const held = streams.get(key);
      // A concurrent dequeue of this replica may have gone further: keep the later mark. A mark's age counts from the
      // scan from the start that began its chain, so a busy stream is still rescanned every rescan interval.
      if (!held) streams.set(key, { mark, at, lookedAt: 0, looking: 0, rescanning: false });
      else if (compare(held.mark, mark) < 0) held.mark = mark;
    }
  }

  /**
   * Tasks of the stage type became ready that may sort before its marks: `since` (RFC 3339 UTC, microseconds) is the
   * earliest ready time among them — marks after it move back to it; null = unknown, the type's marks are dropped.
   */
  lower(stageType: string, since: string | null): void {
    const streams = this.byType.get(stageType);
    if (!streams) return;
    if (since === null) {
      this.byType.delete(stageType);
      return;
    }
    for (const held of streams.values()) {
      if (held.mark.ra >= since) held.mark = { ...held.mark, ra: since, s: '0' };
    }
  }
}

/** Orders two marks of one stream by (run_after, seq); ra strings are fixed-width UTC, so they compare as text. */
function compare(a: ScanMark, b: ScanMark): number {
  if (a.ra !== b.ra) return a.ra < b.ra ? -1 : 1;
  const x = BigInt(a.s);
  const y = BigInt(b.s);
  return x === y ? 0 : x < y ? -1 : 1;
}
