// /queue-groups and /rate-limits: job groups with capacities and rate limits on task starts (admin only: they
// span every tenant).
import { routes } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import { defineRoute } from '../http/define-route.js';
import type { RouteContext } from './context.js';

export function flowRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { flow, limits } = ctx;
  defineRoute(app, routes.listQueueGroups, limits, async () => ({ items: await flow.listGroups() }));
  defineRoute(app, routes.putQueueGroup, limits, async ({ params, body }) => flow.putGroup(params.name, body));
  defineRoute(app, routes.deleteQueueGroup, limits, async ({ params }, _request, reply) => {
    await flow.deleteGroup(params.name);
    reply.code(204);
  });
  defineRoute(app, routes.listRateLimits, limits, async () => ({ items: await flow.listRateLimits() }));
  defineRoute(app, routes.putRateLimit, limits, async ({ params, query, body }) => flow.putRateLimit(params.stageType, query.tenantId ?? null, body));
  defineRoute(app, routes.deleteRateLimit, limits, async ({ params, query }, _request, reply) => {
    await flow.deleteRateLimit(params.stageType, query.tenantId ?? null);
    reply.code(204);
  });
}
