// Cron schedules: CRUD with validation of the expression and time zone, and the scheduler loop that
// fires them. Each fire creates its job with the idempotency key schedule:<id>:<fire time>, in the
// transaction that advances the schedule, so a fire happens exactly once across replicas.
import { Cron } from 'croner';
import type { CreateJobRequest, CreateScheduleRequest, Schedule, UpdateScheduleRequest } from '@jobnik/contracts';
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { dueFireTimes, type CatchUp } from '../domain/fire-times.js';
import { advanceSchedule, deleteSchedule, getScheduleRow, insertSchedule, listSchedules, lockDueSchedules, replaceSchedule, toSchedule } from '../store/schedules.js';
import type { JobService } from './job-service.js';
import { Periodic } from './periodic.js';

export function parseCron(expression: string, timezone: string): Cron {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ValidationError(`time zone ${timezone} is not a known IANA zone`, [{ path: '/body/timezone', message: 'unknown time zone' }]);
  }
  try {
    const cron = new Cron(expression, { timezone, paused: true });
    cron.nextRun(); // some mistakes only show when a run is computed
    return cron;
  } catch (err) {
    throw new ValidationError(`cron "${expression}" is not valid: ${(err as Error).message}`, [{ path: '/body/cron', message: (err as Error).message }]);
  }
}

export interface SchedulerOptions {
  tickMs: number;
  enabled: boolean;
}

export class ScheduleService {
  private readonly loop: Periodic;

  constructor(
    private readonly db: Db,
    private readonly jobs: JobService,
    private readonly options: SchedulerOptions,
    private readonly logger: Logger,
  ) {
    this.loop = new Periodic('scheduler tick', options.tickMs, () => this.tick(), logger);
  }

  async create(body: CreateScheduleRequest & { tenantId: string }): Promise<Schedule> {
    const timezone = body.timezone ?? 'UTC';
    const cron = parseCron(body.cron, timezone);
    const enabled = body.enabled ?? true;
    return insertSchedule(this.db, {
      tenantId: body.tenantId,
      name: body.name,
      cron: body.cron,
      timezone,
      enabled,
      catchUp: body.catchUp ?? 'latest',
      catchUpLimit: body.catchUpLimit ?? 100,
      jobTemplate: body.jobTemplate,
      nextFireAt: enabled ? cron.nextRun() : null,
    });
  }

  async get(id: string, scope: string | null): Promise<Schedule> {
    const row = await getScheduleRow(this.db, id, scope);
    if (!row) throw new NotFoundError('schedule', id);
    return toSchedule(row);
  }

  list(scope: string | null): Promise<Schedule[]> {
    return listSchedules(this.db, scope);
  }

  /** A changed expression, time zone or re-enabling starts counting from now: no catch-up for the past. */
  update(id: string, change: UpdateScheduleRequest, scope: string | null): Promise<Schedule> {
    return this.db.transaction(async (tx) => {
      const row = await getScheduleRow(tx, id, scope, true);
      if (!row) throw new NotFoundError('schedule', id);
      const current = toSchedule(row);
      const next = { ...current, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) } as Schedule;
      const cron = parseCron(next.cron, next.timezone);
      const timingChanged = change.cron !== undefined || change.timezone !== undefined || (change.enabled === true && !current.enabled);
      const nextFireAt = !next.enabled ? null : timingChanged || !current.nextFireAt ? cron.nextRun() : new Date(current.nextFireAt);
      return replaceSchedule(tx, id, { ...next, nextFireAt });
    });
  }

  async delete(id: string, scope: string | null): Promise<void> {
    if (!(await deleteSchedule(this.db, id, scope))) throw new NotFoundError('schedule', id);
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
      const { rows, now } = await lockDueSchedules(tx, 50);
      let created = 0;
      for (const row of rows) {
        const s = toSchedule(row);
        const cron = parseCron(s.cron, s.timezone);
        const fires = dueFireTimes(cron, new Date(s.nextFireAt!), now, s.catchUp as CatchUp, s.catchUpLimit, Math.max(2 * this.options.tickMs, 1000));
        for (const at of fires) {
          const req = { ...(s.jobTemplate as unknown as CreateJobRequest), idempotencyKey: `schedule:${s.id}:${at.toISOString()}` };
          try {
            if (await this.jobs.createInTx(tx, req, s.tenantId)) created++;
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
