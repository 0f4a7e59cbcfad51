// API routes answer 503 UNAVAILABLE, naming the missing migrations, while the database schema is behind this
// manager (instead of a 500 per request from a missing table). Health, metrics and docs stay open.
import type { FastifyInstance } from 'fastify';
import type { SchemaCheck } from '../db/schema-version.js';
import { AppError } from '../domain/errors.js';

export function installSchemaGate(app: FastifyInstance, schema: SchemaCheck): void {
  app.addHook('onRequest', async (request) => {
    if (!(request.routeOptions.config as { roles?: unknown } | undefined)?.roles) return;
    const status = await schema.status();
    if (!status.current) throw new AppError('UNAVAILABLE', 503, status.reason ?? 'the database schema is not ready');
  });
}
