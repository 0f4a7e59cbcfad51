// The /v1 route group (MapColonies-compatible API): its own error answers, the same authentication, tenant
// scoping and limits as every other route.
import type { FastifyInstance } from 'fastify';
import { v1ErrorHandler } from '../../http/v1-errors.js';
import type { RouteContext } from '../context.js';
import { v1JobRoutes } from './jobs.js';
import { v1StageRoutes } from './stages.js';
import { v1TaskRoutes } from './tasks.js';

export function v1Routes(app: FastifyInstance, ctx: RouteContext): void {
  void app.register(async (v1) => {
    v1.setErrorHandler(v1ErrorHandler);
    for (const group of [v1JobRoutes, v1StageRoutes, v1TaskRoutes]) group(v1, ctx);
  });
}
