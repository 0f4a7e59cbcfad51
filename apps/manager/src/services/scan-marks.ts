// Where each stream of ready tasks (queue × priority) is scanned from, per replica: after the last task this
// replica leased from it. Index entries of tasks leased since then are dead but, while some session holds the
// xmin horizon, not removable; a scan from the start walks all of them on every dequeue (measured: a dequeue of
// 200 took 1 s after two minutes of a held horizon, 95 % of it in those walks). Marks are only hints: the dequeue
// statement looks behind a mark whenever the stream has too little after it, writers' wake-ups lower a mark to
// where their new ready tasks sort (or drop it), and a mark older than `rescanMs` is not used.
import type { ScanMark } from '../store/dequeue.js';

interface Held {
  mark: ScanMark;
  at: number;
}

export class ScanMarks {
  /** Stage type → stream key (q:p) → its mark. */
  private readonly byType = new Map<string, Map<string, Held>>();

  /** rescanMs 0: marks off (every scan from the start). */
  constructor(
    private readonly rescanMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The usable marks of these stage types' streams. */
  of(stageTypes: readonly string[]): ScanMark[] {
    if (this.rescanMs <= 0) return [];
    const out: ScanMark[] = [];
    const oldest = this.now() - this.rescanMs;
    for (const type of stageTypes) {
      const streams = this.byType.get(type);
      if (!streams) continue;
      for (const [key, held] of streams) {
        if (held.at < oldest) streams.delete(key);
        else out.push(held.mark);
      }
    }
    return out;
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
      // scan from the start that began its chain, so a busy stream is still rescanned every rescanMs.
      if (held && compare(held.mark, mark) > 0) continue;
      streams.set(key, { mark, at: held?.at ?? at });
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
