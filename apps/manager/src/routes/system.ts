// Health, metrics, the OpenAPI document and its reference page.
import { buildOpenApiDocument, ROLES } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import type { ManagerConfig } from '../config.js';
import type { Db } from '../db/db.js';
import type { SchemaCheck } from '../db/schema-version.js';
import type { ManagerMetrics } from '../metrics.js';
import { docsPage } from './docs-page.js';

export function systemRoutes(app: FastifyInstance, db: Db, metrics: ManagerMetrics, schema: SchemaCheck, options: ManagerConfig['metrics']): void {
  const openapi = buildOpenApiDocument();
  app.get('/health/live', async () => ({ status: 'ok' }));
  // Ready = can do its work: the database answers and carries the schema this build needs.
  app.get('/health/ready', async (_req, reply) => {
    if (!(await db.ping())) return reply.code(503).send({ status: 'unavailable', database: db.kind, reason: 'the database does not answer' });
    const s = await schema.status();
    const versions = { applied: s.applied, required: s.required };
    if (!s.current) return reply.code(503).send({ status: 'unavailable', database: db.kind, reason: s.reason, schema: versions });
    return { status: 'ok', database: db.kind, schema: versions };
  });
  // On the API port unless JOBNIK_METRICS_LISTEN=port moves it to its own listener (http/metrics-server.ts).
  if (options.listen === 'api') {
    app.get('/metrics', { config: options.requireKey ? { roles: ROLES } : {} }, async (_req, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  }
  app.get('/openapi.json', async () => openapi);
  app.get('/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(docsPage));
}
