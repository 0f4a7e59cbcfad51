// The /v1 route group (MapColonies-compatible API): its own error answers, the same authentication, tenant
// scoping and limits as every other route.
import type { FastifyInstance } from 'fastify';
import { v1ErrorHandler } from '../../http/v1-errors.js';
import type { RouteContext } from '../context.js';
import { v1JobRoutes } from './jobs.js';
import { v1StageRoutes } from './stages.js';
import { V1_PREFIX } from './prefix.js';
import { v1TaskRoutes } from './tasks.js';

export function v1Routes(app: FastifyInstance, ctx: RouteContext): void {
  void app.register(
    async (v1) => {
      v1.setErrorHandler(v1ErrorHandler);
      v1.setNotFoundHandler((request, reply) =>
        reply.code(404).type('application/json; charset=utf-8').send({ message: `no route ${request.method} ${request.url.split('?')[0]}`, code: 'ROUTE_NOT_FOUND' }),
      );
      for (const group of [v1JobRoutes, v1StageRoutes, v1TaskRoutes]) group(v1, ctx);
    },
    { prefix: V1_PREFIX },
  );
}
