// Fires due cron schedules. Each fire creates its job with the idempotency key schedule:<id>:<fire time>,
// in the transaction that advances the schedule, so a fire happens exactly once across replicas.
import type { CreateJobRequest } from '@jobnik/contracts';
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { scheduleActor } from '../domain/audit.js';
import { parseCron } from '../domain/cron.js';
import { dueFireTimes, type CatchUp } from '../domain/fire-times.js';
import type { JobService } from '../services/job-service.js';
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

  /** Fires every due schedule once; returns the number of jobs created. */
  tick(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const { schedules, now } = await lockDueSchedules(tx, SCHEDULES_PER_TICK);
      let created = 0;
      for (const s of schedules) {
        const cron = parseCron(s.cron, s.timezone);
        const fires = dueFireTimes(cron, new Date(s.nextFireAt!), now, s.catchUp as CatchUp, s.catchUpLimit, Math.max(2 * this.options.tickMs, 1000));
        for (const at of fires) {
          const req = { ...(s.jobTemplate as unknown as CreateJobRequest), idempotencyKey: `schedule:${s.id}:${at.toISOString()}` };
          try {
            if (await this.jobs.createInTx(tx, req, s.tenantId, scheduleActor(s.id))) created++;
          } catch (err) {
            // A template that no longer validates (e.g. its job type changed) skips this fire, loudly.
            this.logger.error({ err, scheduleId: s.id, fireAt: at }, 'scheduled job was rejected');
          }
        }
        await advanceSchedule(tx, s.id, cron.nextRun(now), fires.at(-1) ?? null);
      }
      return created;
    });
  }
}
