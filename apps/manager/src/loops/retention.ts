// Deletes finished jobs past their retention (expiresAt, else the job type's retentionDays, else the
// configured default), tasks first in bounded batches so no statement holds locks for long.
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { deleteHistoryOfJobs } from '../store/history.js';
import { deleteFinishedJobs, deleteTasksOfJobs, findExpiredJobs } from '../store/retention.js';
import { Periodic } from './periodic.js';

export interface RetentionOptions {
  days: number;
  intervalMs: number;
  batchSize: number;
}

/** Jobs looked at per round: each round deletes their tasks in batches, then the jobs. */
const JOBS_PER_ROUND = 20;

export class Retention {
  private readonly loop: Periodic;

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
    return this.loop.stop();
  }

  /** Returns the number of jobs deleted. */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const ids = await findExpiredJobs(this.db, this.options.days, JOBS_PER_ROUND);
      if (ids.length === 0) return deleted;
      while ((await deleteTasksOfJobs(this.db, ids, this.options.batchSize)) >= this.options.batchSize);
      await deleteFinishedJobs(this.db, ids);
      // The history goes with its job (not with one retried meanwhile), in batches of the same size.
      while ((await deleteHistoryOfJobs(this.db, ids, this.options.batchSize)) > 0);
      deleted += ids.length;
      this.logger.info({ jobs: ids.length }, 'retention deleted finished jobs');
    }
  }
}
