// Every route group, registered on one app.
import type { FastifyInstance } from 'fastify';
import { apiKeyRoutes } from './api-keys.js';
import type { RouteContext } from './context.js';
import { directiveRoutes } from './directives.js';
import { flowRoutes } from './flow.js';
import { eventRoutes } from './events.js';
import { jobRoutes } from './jobs.js';
import { queueRoutes } from './queues.js';
import { scheduleRoutes } from './schedules.js';
import { stageRoutes } from './stages.js';
import { systemRoutes } from './system.js';
import { taskRoutes } from './tasks.js';
import { v1Routes } from './v1/index.js';

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  for (const group of [jobRoutes, stageRoutes, taskRoutes, queueRoutes, directiveRoutes, scheduleRoutes, apiKeyRoutes, systemRoutes, flowRoutes, eventRoutes, v1Routes]) group(app, ctx);
}
