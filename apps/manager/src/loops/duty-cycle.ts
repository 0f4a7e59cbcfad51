// Paces background work the way PostgreSQL's cost-based vacuum delay does: after each step, rest long enough that
// the steps take at most `percent` of the wall time, so bulk maintenance (retention) leaves the hot path its share of
// a saturated machine. Rest is proportional to the step just taken: on an idle database steps are short and so are
// the rests. abort() ends a rest at once (shutdown); the caller checks `aborted` before its next step.
import { delay } from '../delay.js';

export class DutyCycle {
  private readonly stopped = new AbortController();

  /** `percent` from 1 to 100; 100 never rests. */
  constructor(private readonly percent: number) {
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) throw new RangeError(`duty cycle must be an integer from 1 to 100 percent, got ${percent}`);
  }

  get aborted(): boolean {
    return this.stopped.signal.aborted;
  }

  /** Runs one step, then rests in proportion to it. Returns the step's result (also when aborted while resting). */
  async step<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await work();
    await this.rest((performance.now() - started) * (100 / this.percent - 1));
    return result;
  }

  abort(): void {
    this.stopped.abort();
  }

  private rest(ms: number): Promise<void> {
    return ms <= 0 || this.aborted ? Promise.resolve() : delay(ms, this.stopped.signal);
  }
}
