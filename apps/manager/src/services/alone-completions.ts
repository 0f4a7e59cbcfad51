// Whether a completion tries the statement on its own first (work-service.ts). That try is wasted — a full statement,
// rolled back — when the completion ends a stage, which is every one in a stream of single-task jobs. So the manager
// keeps a decaying rate of the tries that ended a stage: above one in two it goes straight to the transaction, and
// tries alone again on every PROBE_EVERY-th completion so that a workload of big stages wins the fast path back.

const DECAY = 0.9;
const GIVE_UP_ABOVE = 0.5;
const PROBE_EVERY = 16;

export class AloneCompletions {
  private endedRate = 0;
  private skipped = 0;

  /** Whether this completion should try the statement on its own. */
  shouldTry(): boolean {
    if (this.endedRate <= GIVE_UP_ABOVE) return true;
    this.skipped++;
    if (this.skipped < PROBE_EVERY) return false;
    this.skipped = 0;
    return true;
  }

  /** What a try found: `endedStage` when it rolled back for a stage to settle. */
  tried(endedStage: boolean): void {
    this.endedRate = this.endedRate * DECAY + (endedStage ? 1 - DECAY : 0);
  }
}
