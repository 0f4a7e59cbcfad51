// Per-second counts of completed and failed tasks over the last hour, kept in memory by this replica.
const HOUR = 3600;

export class Throughput {
  private readonly completed = new Int32Array(HOUR);
  private readonly failed = new Int32Array(HOUR);
  private readonly stamp = new Float64Array(HOUR);

  private slot(nowSec: number): number {
    const i = nowSec % HOUR;
    if (this.stamp[i] !== nowSec) {
      this.stamp[i] = nowSec;
      this.completed[i] = 0;
      this.failed[i] = 0;
    }
    return i;
  }

  record(completed: number, failed: number, now = Date.now()): void {
    const i = this.slot(Math.floor(now / 1000));
    this.completed[i]! += completed;
    this.failed[i]! += failed;
  }

  /** Completions in each of the last `seconds` seconds (oldest first), excluding the current partial one. */
  completedPerSecond(seconds = 60, now = Date.now()): number[] {
    const nowSec = Math.floor(now / 1000);
    const out: number[] = [];
    for (let s = nowSec - seconds; s < nowSec; s++) out.push(this.stamp[s % HOUR] === s ? this.completed[s % HOUR]! : 0);
    return out;
  }

  sum(kind: 'completed' | 'failed', seconds: number, now = Date.now()): number {
    const nowSec = Math.floor(now / 1000);
    const arr = kind === 'completed' ? this.completed : this.failed;
    let n = 0;
    for (let s = nowSec - seconds + 1; s <= nowSec; s++) if (this.stamp[s % HOUR] === s) n += arr[s % HOUR]!;
    return n;
  }
}
