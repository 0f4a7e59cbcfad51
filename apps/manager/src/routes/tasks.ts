// /tasks: read and cancel tasks; the workers' batched complete / fail / release.
import { routes } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../domain/errors.js';
import { callerOf } from '../http/caller.js';
import { defineRoute } from '../http/define-route.js';
import { getTask, listTasks } from '../store/tasks.js';
import type { RouteContext } from './context.js';

export function taskRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db, lifecycle, work, limits } = ctx;

  defineRoute(app, routes.listTasks, limits, async ({ query }, request) => listTasks(db, query, callerOf(request).scope));
  defineRoute(app, routes.getTask, limits, async ({ params }, request) => {
    const task = await getTask(db, params.taskId, callerOf(request).scope);
    if (!task) throw new NotFoundError('task', params.taskId);
    return task;
  });
  defineRoute(app, routes.cancelTask, limits, async ({ params }, request) => lifecycle.cancelTask(params.taskId, callerOf(request).scope));
  // Acks are fenced by lease tokens and scoped to the caller's tenant: a leaked token is useless to another tenant.
  defineRoute(app, routes.completeTasks, limits, async ({ body }, request) => work.complete(callerOf(request).scope, body.items));
  defineRoute(app, routes.failTasks, limits, async ({ body }, request) => work.fail(callerOf(request).scope, body.items));
  defineRoute(app, routes.releaseTasks, limits, async ({ body }, request) => work.release(callerOf(request).scope, body.items));
}
