// POST /workers/:workerId/directives: the long-poll that pushes cancel and suspend to a running handler.
import { routes } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import { callerOf } from '../http/caller.js';
import { defineRoute } from '../http/define-route.js';
import { disconnectSignal } from '../http/disconnect-signal.js';
import type { RouteContext } from './context.js';

export function directiveRoutes(app: FastifyInstance, ctx: RouteContext): void {
  defineRoute(app, routes.workerDirectives, ctx.limits, async ({ params, body }, request, reply) =>
    ctx.directives.poll({ workerId: params.workerId, scope: callerOf(request).scope, tasks: body.tasks, waitMs: body.waitMs }, disconnectSignal(reply)),
  );
}
