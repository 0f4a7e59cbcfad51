// Whether a completion batch first tries to commit on its own (store/acks.ts, COMPLETE_ALONE). That pays when
// batches complete tasks in the middle of their stages (big stages): one round trip instead of three, and the stage's
// row held only until the statement's own commit. When batches end stages (many small jobs), the attempt changes
// nothing and costs a round trip before the transaction: after a run of those the manager stops trying, and tries one
// batch in `probeEvery` to notice when that changes.
export class AloneCompletions {
  /** Recent batches that committed alone minus those that needed the transaction, within ±window. */
  private score = 0;
  private skipped = 0;

  constructor(
    private readonly probeEvery = 8,
    private readonly window = 16,
  ) {}

  shouldTry(): boolean {
    if (this.score >= 0) return true;
    if (++this.skipped < this.probeEvery) return false;
    this.skipped = 0;
    return true;
  }

  record(committedAlone: boolean): void {
    this.score = Math.max(-this.window, Math.min(this.window, this.score + (committedAlone ? 1 : -1)));
  }
}
