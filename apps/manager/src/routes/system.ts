// Health, metrics, the OpenAPI document and its reference page.
import { buildOpenApiDocument } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/db.js';
import type { ManagerMetrics } from '../metrics.js';
import { docsPage } from './docs-page.js';

export function systemRoutes(app: FastifyInstance, db: Db, metrics: ManagerMetrics): void {
  const openapi = buildOpenApiDocument();
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_req, reply) => {
    const ok = await db.ping();
    reply.code(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', database: db.kind };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/openapi.json', async () => openapi);
  app.get('/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(docsPage));
}
