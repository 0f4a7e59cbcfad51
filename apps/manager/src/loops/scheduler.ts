// Fires due cron schedules. Each fire creates its job with the idempotency key schedule:<id>:<fire time>,
// in the transaction that advances the schedule, so a fire happens exactly once across replicas.
import type { CreateJobRequest, Schedule } from '@jobnik/contracts';
import type { Logger } from 'pino';
import { isConflict, isConnectionError, type Db, type Queryable } from '../db/db.js';
import { scheduleActor } from '../domain/audit.js';
import { parseCron } from '../domain/cron.js';
import { dueFireTimes, type CatchUp } from '../domain/fire-times.js';
import type { JobService } from '../services/job-service.js';
import { inSavepoint } from '../store/savepoint.js';
import { advanceSchedule, lockDueSchedules } from '../store/schedules.js';
import { Periodic } from './periodic.js';

export interface SchedulerOptions {
  tickMs: number;
  enabled: boolean;
}

/** Schedules fired per tick (the rest wait for the next one). */
const SCHEDULES_PER_TICK = 50;

export class Scheduler {
  private readonly loop: Periodic;

  constructor(
    private readonly db: Db,
    private readonly jobs: JobService,
    private readonly options: SchedulerOptions,
    private readonly logger: Logger,
  ) {
    this.loop = new Periodic('scheduler tick', options.tickMs, () => this.tick(), logger);
  }

  start(): void {
    if (this.options.enabled) this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * Where the last tick began (the database's clock) and when it ended (this process's): the fire times after that
   * beginning came while this scheduler ran, so a long tick (a schedule whose jobs are large) makes the others late,
   * not missed. After a gap between ticks (the process stood still), the catch-up policy applies again.
   */
  private lastTick: { beganAt: Date; endedAt: number } | null = null;

  /** How late a tick may come and still be on time (the `none` policy's grace, and the gap that ends a live stretch). */
  private get graceMs(): number {
    return Math.max(2 * this.options.tickMs, 1000);
  }

  /**
   * Fires every due schedule (up to SCHEDULES_PER_TICK), each in a transaction of its own: one schedule's large
   * jobs hold only its own row, so another replica fires the others meanwhile. Returns the number of jobs created.
   */
  async tick(): Promise<number> {
    const liveSince = this.lastTick && performance.now() - this.lastTick.endedAt <= this.graceMs ? this.lastTick.beganAt : null;
    let beganAt: Date | null = null;
    let created = 0;
    /** Schedules that could not fire in this tick (a stored expression that no longer parses…): passed over until the next. */
    const failed: string[] = [];
    try {
      for (let i = 0; i < SCHEDULES_PER_TICK; i++) {
        const current: { id: string | null } = { id: null };
        try {
          const fired = await this.db.transaction(async (tx) => {
            const { schedules, now } = await lockDueSchedules(tx, 1, failed);
            beganAt ??= now;
            const s = schedules[0];
            current.id = s?.id ?? null;
            return s ? this.fire(tx, s, now, liveSince) : null;
          });
          if (fired === null) break;
          created += fired;
        } catch (err) {
          if (current.id === null || isConnectionError(err)) throw err; // the database: the loop says so, once
          failed.push(current.id);
          this.logger.error({ err, scheduleId: current.id }, 'schedule could not fire; the others fire, it is tried again next tick');
        }
      }
    } finally {
      if (beganAt) this.lastTick = { beganAt, endedAt: performance.now() };
    }
    return created;
  }

  /** Creates the schedule's due jobs and advances it, in the caller's transaction; returns the number of jobs created. */
  private async fire(tx: Queryable, s: Schedule, now: Date, liveSince: Date | null): Promise<number> {
    const cron = parseCron(s.cron, s.timezone);
    const fires = dueFireTimes(cron, new Date(s.nextFireAt!), now, s.catchUp as CatchUp, s.catchUpLimit, this.graceMs, liveSince);
    let created = 0;
    for (const at of fires) {
      const req = { ...(s.jobTemplate as unknown as CreateJobRequest), idempotencyKey: `schedule:${s.id}:${at.toISOString()}` };
      try {
        // In a savepoint: a job the database refuses leaves the schedule's transaction usable, to advance it.
        if (await inSavepoint(tx, () => this.jobs.createInTx(tx, req, s.tenantId, scheduleActor(s.id)))) created++;
      } catch (err) {
        if (isConnectionError(err) || isConflict(err)) throw err; // the database's moment, not this fire: tried again
        // A template that no longer validates (e.g. its job type changed), or a job the database refuses, skips this fire, loudly.
        this.logger.error({ err, scheduleId: s.id, fireAt: at }, 'scheduled job was rejected');
      }
    }
    await advanceSchedule(tx, s.id, cron.nextRun(now), fires.at(-1) ?? null);
    return created;
  }
}
