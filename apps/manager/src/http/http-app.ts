// The fastify instance every route group is registered on: body parsing, problem+json errors, request
// metrics, tracing, authentication and the optional per-key rate limit.
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ManagerConfig } from '../config.js';
import type { SchemaCheck } from '../db/schema-version.js';
import { AppError } from '../domain/errors.js';
import type { ManagerMetrics } from '../metrics.js';
import type { AuthService } from '../services/auth-service.js';
import { installAuth } from './auth-hook.js';
import { installSchemaGate } from './schema-gate.js';
import { assertUtf8Charset, parseJsonBody } from './json-body.js';
import { answerClientError, errorHandler, problem, sendProblem } from './problem.js';
import { installTracing } from './tracing-hook.js';
import { isV1Url, sendV1Error } from './v1-errors.js';

export async function createHttpApp(config: ManagerConfig, logger: Logger, metrics: ManagerMetrics, auth: AuthService, schema: SchemaCheck): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.http.bodyLimitBytes,
    // Per-request logs would dominate the hot path; metrics and error logs cover requests.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Errors raised before routing (a path parameter over the router's length limit, a bad URL encoding).
    frameworkErrors: (err, request, reply) =>
      isV1Url(request.url)
        ? sendV1Error(reply, 400, 'VALIDATION_ERROR', err.message)
        : sendProblem(reply, problem(400, 'VALIDATION_FAILED', err.message, { instance: request.url, errors: [{ path: '/params', message: err.message }] })),
    // Errors from Node's HTTP parser (request head over 16 KiB, malformed request line) still get problem+json.
    clientErrorHandler: answerClientError,
  });
  // Bodies are JSON only: a text/plain body is 415, not parsed as a string. Bodyless POSTs (cancel, resume…)
  // often still say application/json: an empty body is none.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    try {
      assertUtf8Charset(req.headers['content-type']);
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      if (err instanceof SyntaxError) (err as { statusCode?: number }).statusCode = 400;
      done(err as Error, undefined);
    }
  });
  app.setErrorHandler(errorHandler());
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, 'ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`, { instance: request.url })),
  );
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  // Compressed bodies are not decoded: refuse them before reading, rather than failing to parse their bytes.
  app.addHook('onRequest', async (request) => {
    const encoding = request.headers['content-encoding'];
    if (encoding && encoding.toLowerCase() !== 'identity') {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 415, `content-encoding ${encoding} is not supported; send the JSON body uncompressed`);
    }
  });
  installTracing(app);
  installSchemaGate(app, schema); // before auth, which reads the api_keys table
  installAuth(app, auth);
  if (config.auth.rateLimitPerMinute > 0) {
    await app.register(fastifyRateLimit, {
      global: true,
      max: config.auth.rateLimitPerMinute,
      timeWindow: 60_000,
      hook: 'preHandler', // after authentication, so the limit is per key
      keyGenerator: (request) => request.caller?.keyId ?? request.ip,
      allowList: (request) => !(request.routeOptions.config as { roles?: unknown } | undefined)?.roles,
      errorResponseBuilder: (_request, ctx) => new AppError('RATE_LIMITED', 429, `rate limit of ${ctx.max} requests per minute reached; retry in ${Math.ceil(ctx.ttl / 1000)} s`),
    });
  }
  return app;
}
