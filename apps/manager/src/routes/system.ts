// Health, metrics, the OpenAPI document and its reference page.
import { buildOpenApiDocument, ROLES } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context.js';
import { docsPage } from './docs-page.js';

export function systemRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { health, metrics, metricsExposure } = ctx;
  const openapi = buildOpenApiDocument();
  app.get('/health/live', async () => ({ status: 'ok' }));
  // Ready = can do its work: the database answers and carries the schema this build needs.
  app.get('/health/ready', async (_req, reply) => {
    const { ok, ...body } = await health.ready();
    reply.code(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', ...body };
  });
  // On the API port unless JOBNIK_METRICS_LISTEN=port moves it to its own listener (http/metrics-server.ts).
  if (metricsExposure.listen === 'api') {
    app.get('/metrics', { config: metricsExposure.requireKey ? { roles: ROLES } : {} }, async (_req, reply) => {
      reply.type(metrics.contentType);
      return metrics.exposition();
    });
  }
  app.get('/openapi.json', async () => openapi);
  app.get('/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(docsPage));
}
