// /schedules (cron) and /job-types (definitions with defaults and a data schema).
import { routes } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import { tenantForWrite } from '../domain/caller.js';
import { callerOf } from '../http/caller.js';
import { defineRoute } from '../http/define-route.js';
import type { RouteContext } from './context.js';

export function scheduleRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { schedules, jobTypes, limits } = ctx;
  defineRoute(app, routes.createSchedule, limits, async ({ body }, request) =>
    schedules.create({ ...body, tenantId: tenantForWrite(callerOf(request), body.tenantId) }),
  );
  defineRoute(app, routes.listSchedules, limits, async ({ query }, request) => schedules.list(callerOf(request).scope, query));
  defineRoute(app, routes.getSchedule, limits, async ({ params }, request) => schedules.get(params.scheduleId, callerOf(request).scope));
  defineRoute(app, routes.updateSchedule, limits, async ({ params, body }, request) => schedules.update(params.scheduleId, body, callerOf(request).scope));
  defineRoute(app, routes.deleteSchedule, limits, async ({ params }, request, reply) => {
    await schedules.delete(params.scheduleId, callerOf(request).scope);
    reply.code(204);
  });

  defineRoute(app, routes.putJobType, limits, async ({ params, body }, request) => jobTypes.put(tenantForWrite(callerOf(request), undefined), params.name, body));
  defineRoute(app, routes.listJobTypes, limits, async (_i, request) => ({ items: await jobTypes.list(callerOf(request).scope) }));
  defineRoute(app, routes.getJobType, limits, async ({ params }, request) => {
    const caller = callerOf(request);
    return jobTypes.mustGet(caller.scope ?? caller.tenantId, params.name);
  });
}
