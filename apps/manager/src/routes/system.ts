// Health, metrics, the OpenAPI document and its reference page.
import { buildOpenApiDocument } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context.js';
import { docsPage } from './docs-page.js';

export function systemRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { health, metrics } = ctx;
  const openapi = buildOpenApiDocument();
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_req, reply) => {
    const r = await health.ready();
    reply.code(r.ok ? 200 : 503);
    return { status: r.ok ? 'ok' : 'unavailable', database: r.database };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/openapi.json', async () => openapi);
  app.get('/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(docsPage));
}
