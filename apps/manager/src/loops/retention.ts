// Deletes finished jobs past their retention (expiresAt, else the job type's retentionDays, else the
// configured default), tasks first in bounded batches so no statement holds locks for long, paced by a duty cycle so
// a big deletion leaves the hot path most of the machine.
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { deleteHistoryOfJobs } from '../store/history.js';
import { deleteFinishedJobs, deleteTasksOfJobs, findExpiredJobs } from '../store/retention.js';
import { DutyCycle } from './duty-cycle.js';
import { Periodic } from './periodic.js';

export interface RetentionOptions {
  days: number;
  intervalMs: number;
  batchSize: number;
  /** Most of the wall time a sweep's statements may take, in percent (it rests in between); 100 = back to back. */
  dutyPercent: number;
}

/** Jobs looked at per round: each round deletes their tasks in batches, then the jobs. */
const JOBS_PER_ROUND = 20;

export class Retention {
  private readonly loop: Periodic;
  /** The sweep in progress's pacing: stop() aborts it so shutdown does not wait out its rests. */
  private pace: DutyCycle | null = null;

  constructor(
    private readonly db: Db,
    private readonly options: RetentionOptions,
    private readonly logger: Logger,
  ) {
    this.loop = new Periodic('retention sweep', options.intervalMs, () => this.sweep(), logger);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    this.pace?.abort();
    return this.loop.stop();
  }

  /**
   * Returns the number of jobs deleted. Stopped midway (shutdown), it leaves the rest for the next sweep: every
   * statement commits on its own and leaves nothing inconsistent (a job goes only once its tasks are gone).
   */
  async sweep(): Promise<number> {
    const pace = (this.pace = new DutyCycle(this.options.dutyPercent));
    const { db, options } = this;
    let deleted = 0;
    try {
      while (!pace.aborted) {
        const ids = await pace.step(() => findExpiredJobs(db, options.days, JOBS_PER_ROUND));
        if (ids.length === 0) break;
        while (!pace.aborted && (await pace.step(() => deleteTasksOfJobs(db, ids, options.batchSize))) >= options.batchSize);
        if (pace.aborted) break;
        await pace.step(() => deleteFinishedJobs(db, ids));
        // The history goes with its job (not with one retried meanwhile), in batches of the same size.
        while (!pace.aborted && (await pace.step(() => deleteHistoryOfJobs(db, ids, options.batchSize))) > 0);
        deleted += ids.length;
        this.logger.info({ jobs: ids.length }, 'retention deleted finished jobs');
      }
      return deleted;
    } finally {
      if (this.pace === pace) this.pace = null;
    }
  }
}
