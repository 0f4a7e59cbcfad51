// Deletes finished jobs past their retention (expiresAt, else the job type's retentionDays, else the
// configured default), tasks first in bounded batches so no statement holds locks for long, paced by a duty cycle so
// a big deletion leaves the hot path most of the machine; and the webhook events that settled after their job went.
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { deleteHistoryOfJobs } from '../store/history.js';
import { countExpiredJobs, deleteFinishedJobs, deleteTasksOfJobs, findExpiredJobs } from '../store/retention.js';
import { deleteSettledOrphanEvents } from '../store/webhooks.js';
import { DutyCycle } from './duty-cycle.js';
import { Periodic } from './periodic.js';

export interface RetentionOptions {
  days: number;
  intervalMs: number;
  batchSize: number;
  /** Most of the wall time a sweep's statements may take, in percent (it rests in between); 100 = back to back. */
  dutyPercent: number;
}

/** What a sweep reports, for metrics: whether retention keeps up, and what it deleted. */
export interface RetentionObserver {
  /** A sweep began with this many finished jobs past their retention, the most overdue by this many seconds. */
  expired(jobs: number, overdueSeconds: number): void;
  /** A sweep deleted `n` of these (history: job transitions and task attempts). */
  deleted(what: 'jobs' | 'tasks' | 'history', n: number): void;
}

const UNOBSERVED: RetentionObserver = { expired: () => {}, deleted: () => {} };

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
    private readonly observer: RetentionObserver = UNOBSERVED,
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
   * Returns the number of jobs deleted. It first deletes the settled webhook events of deleted jobs, then counts the expired jobs (the observer's backlog; lowered as they go,
   * 0 once a round finds none). Stopped midway (shutdown), it leaves the rest for the next sweep: every
   * statement commits on its own and leaves nothing inconsistent (a job goes only once its tasks are gone).
   */
  async sweep(): Promise<number> {
    const pace = (this.pace = new DutyCycle(this.options.dutyPercent));
    const { db, options, observer } = this;
    // Reported as each statement commits, not after the rest that follows it.
    const counted = (what: 'jobs' | 'tasks' | 'history', statement: () => Promise<number>) => async () => {
      const n = await statement();
      observer.deleted(what, n);
      return n;
    };
    let deleted = 0;
    try {
      // A deleted job's events outlive it until they settle; nothing can read them after that.
      const orphans = () => deleteSettledOrphanEvents(db, options.batchSize);
      for (let n = options.batchSize; !pace.aborted && n >= options.batchSize; ) n = await pace.step(orphans);
      if (pace.aborted) return 0;
      const backlog = await pace.step(() => countExpiredJobs(db, options.days));
      observer.expired(backlog.jobs, backlog.overdueSeconds);
      if (backlog.jobs === 0) return 0;
      let waiting = backlog.jobs;
      while (!pace.aborted) {
        const ids = await pace.step(() => findExpiredJobs(db, options.days, JOBS_PER_ROUND));
        if (ids.length === 0) {
          observer.expired(0, 0);
          break;
        }
        const tasks = counted('tasks', () => deleteTasksOfJobs(db, ids, options.batchSize));
        for (let n = options.batchSize; !pace.aborted && n >= options.batchSize; ) n = await pace.step(tasks);
        if (pace.aborted) break;
        const jobs = await pace.step(counted('jobs', () => deleteFinishedJobs(db, ids)));
        waiting = Math.max(0, waiting - jobs);
        observer.expired(waiting, backlog.overdueSeconds);
        // The history goes with its job (not with one retried meanwhile), in batches of the same size.
        const history = counted('history', () => deleteHistoryOfJobs(db, ids, options.batchSize));
        for (let n = 1; !pace.aborted && n > 0; ) n = await pace.step(history);
        deleted += jobs;
        this.logger.info({ jobs }, 'retention deleted finished jobs');
      }
      return deleted;
    } finally {
      if (this.pace === pace) this.pace = null;
    }
  }
}
