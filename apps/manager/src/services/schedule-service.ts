// Cron schedules: create, read, change and delete, with the expression and time zone validated.
// Firing them is the scheduler loop's job (loops/scheduler.ts).
import type { CreateJobRequest, CreateScheduleRequest, Schedule, UpdateScheduleRequest } from '@jobnik/contracts';
import type { Db, Queryable } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { parseCron } from '../domain/cron.js';
import { NotFoundError } from '../domain/errors.js';
import { scheduleView } from '../domain/webhook-view.js';
import { deleteSchedule, getSchedule, insertSchedule, listSchedules, replaceSchedule } from '../store/schedules.js';
import type { JobService } from './job-service.js';

export class ScheduleService {
  constructor(
    private readonly db: Db,
    private readonly jobs: JobService,
  ) {}

  /** A template that would be rejected on every fire is rejected now, with the paths of what is wrong. */
  private checkTemplate(db: Queryable, template: Schedule['jobTemplate'], tenantId: string): Promise<unknown> {
    return this.jobs.check(db, template as CreateJobRequest, tenantId, '/body/jobTemplate');
  }

  async create(body: CreateScheduleRequest & { tenantId: string }): Promise<Schedule> {
    const timezone = body.timezone ?? 'UTC';
    const cron = parseCron(body.cron, timezone);
    await this.checkTemplate(this.db, body.jobTemplate, body.tenantId);
    const enabled = body.enabled ?? true;
    const created = await insertSchedule(this.db, {
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
    return scheduleView(created);
  }

  async get(id: string, scope: TenantScope): Promise<Schedule> {
    const schedule = await getSchedule(this.db, id, scope);
    if (!schedule) throw new NotFoundError('schedule', id);
    return scheduleView(schedule);
  }

  async list(scope: TenantScope, page: { limit: number; cursor?: string | undefined }): Promise<{ items: Schedule[]; nextCursor: string | null }> {
    const found = await listSchedules(this.db, scope, page);
    return { ...found, items: found.items.map(scheduleView) };
  }

  /**
   * A changed expression, time zone or re-enabling starts counting from now: no catch-up for the past. A new
   * jobTemplate replaces the stored one whole (its webhooks' secrets and header values included).
   */
  async update(id: string, change: UpdateScheduleRequest, scope: TenantScope): Promise<Schedule> {
    const updated = await this.db.transaction(async (tx) => {
      const current = await getSchedule(tx, id, scope, true);
      if (!current) throw new NotFoundError('schedule', id);
      const next = { ...current, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) } as Schedule;
      const cron = parseCron(next.cron, next.timezone);
      if (change.jobTemplate !== undefined) await this.checkTemplate(tx, next.jobTemplate, current.tenantId);
      const timingChanged = change.cron !== undefined || change.timezone !== undefined || (change.enabled === true && !current.enabled);
      const nextFireAt = !next.enabled ? null : timingChanged || !current.nextFireAt ? cron.nextRun() : new Date(current.nextFireAt);
      return replaceSchedule(tx, id, { ...next, nextFireAt });
    });
    return scheduleView(updated);
  }

  async delete(id: string, scope: TenantScope): Promise<void> {
    if (!(await deleteSchedule(this.db, id, scope))) throw new NotFoundError('schedule', id);
  }
}
