// /api-keys: admins create (secret shown once), list and revoke keys.
import { routes } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../domain/errors.js';
import { defineRoute } from '../http/define-route.js';
import type { AuthService } from '../services/auth-service.js';
import type { RouteContext } from './context.js';

export function apiKeyRoutes(app: FastifyInstance, ctx: RouteContext, auth: AuthService): void {
  defineRoute(app, routes.createApiKey, ctx.limits, async ({ body }) => auth.create(body));
  defineRoute(app, routes.listApiKeys, ctx.limits, async () => ({ items: await auth.list() }));
  defineRoute(app, routes.revokeApiKey, ctx.limits, async ({ params }, _request, reply) => {
    if (!(await auth.revoke(params.keyId))) throw new NotFoundError('API key', params.keyId);
    reply.code(204);
  });
}
