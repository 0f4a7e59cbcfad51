// /tasks: read and cancel tasks; the workers' batched complete / fail / release.
import { routes } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import { actorOfCaller } from '../domain/audit.js';
import { callerOf } from '../http/caller.js';
import { defineRoute } from '../http/define-route.js';
import type { RouteContext } from './context.js';

export function taskRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { lifecycle, reads, work, limits } = ctx;

  defineRoute(app, routes.listTasks, limits, async ({ query }, request) => reads.listTasks(query, callerOf(request).scope));
  defineRoute(app, routes.getTask, limits, async ({ params }, request) => reads.mustGetTaskWithAttempts(params.taskId, callerOf(request).scope));
  defineRoute(app, routes.cancelTask, limits, async ({ params }, request) => lifecycle.cancelTask(params.taskId, callerOf(request).scope, actorOfCaller(callerOf(request))));
  // Acks are fenced by lease tokens and scoped to the caller's tenant: a leaked token is useless to another tenant.
  defineRoute(app, routes.completeTasks, limits, async ({ body }, request) => work.complete(callerOf(request).scope, body.items));
  defineRoute(app, routes.failTasks, limits, async ({ body }, request) => work.fail(callerOf(request).scope, body.items));
  defineRoute(app, routes.releaseTasks, limits, async ({ body }, request) => work.release(callerOf(request).scope, body.items));
}
