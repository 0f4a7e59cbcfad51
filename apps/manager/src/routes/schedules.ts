// /schedules (cron) and /job-types (definitions with defaults and a data schema).
import { routes } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../domain/errors.js';
import { callerOf, tenantForWrite } from '../http/caller.js';
import { defineRoute } from '../http/define-route.js';
import type { JobTypeService } from '../services/job-type-service.js';
import type { ScheduleService } from '../services/schedule-service.js';
import { listJobTypes } from '../store/job-types.js';
import type { RouteContext } from './context.js';

export function scheduleRoutes(app: FastifyInstance, ctx: RouteContext, schedules: ScheduleService, types: JobTypeService): void {
  const { limits, db } = ctx;
  defineRoute(app, routes.createSchedule, limits, async ({ body }, request) =>
    schedules.create({ ...body, tenantId: tenantForWrite(callerOf(request), body.tenantId) }),
  );
  defineRoute(app, routes.listSchedules, limits, async (_i, request) => ({ items: await schedules.list(callerOf(request).scope) }));
  defineRoute(app, routes.getSchedule, limits, async ({ params }, request) => schedules.get(params.scheduleId, callerOf(request).scope));
  defineRoute(app, routes.updateSchedule, limits, async ({ params, body }, request) => schedules.update(params.scheduleId, body, callerOf(request).scope));
  defineRoute(app, routes.deleteSchedule, limits, async ({ params }, request, reply) => {
    await schedules.delete(params.scheduleId, callerOf(request).scope);
    reply.code(204);
  });

  defineRoute(app, routes.putJobType, limits, async ({ params, body }, request) =>
    types.put(db, tenantForWrite(callerOf(request), undefined), params.name, body),
  );
  defineRoute(app, routes.listJobTypes, limits, async (_i, request) => ({ items: await listJobTypes(db, callerOf(request).scope) }));
  defineRoute(app, routes.getJobType, limits, async ({ params }, request) => {
    const caller = callerOf(request);
    const type = await types.get(db, caller.scope ?? caller.tenantId, params.name);
    if (!type) throw new NotFoundError('job type', params.name);
    return type;
  });
}
