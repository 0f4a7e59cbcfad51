// /api-keys: admins create (secret shown once), list and revoke keys.
import { routes } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import { defineRoute } from '../http/define-route.js';
import type { RouteContext } from './context.js';

export function apiKeyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { auth, limits } = ctx;
  defineRoute(app, routes.createApiKey, limits, async ({ body }) => auth.create(body));
  defineRoute(app, routes.listApiKeys, limits, async () => ({ items: await auth.list() }));
  defineRoute(app, routes.revokeApiKey, limits, async ({ params }, _request, reply) => {
    await auth.revoke(params.keyId);
    reply.code(204);
  });
}
