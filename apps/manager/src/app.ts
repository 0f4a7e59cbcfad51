// Assembles a manager: database, migrations, services, background loops and the fastify app.
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { ManagerConfig } from './config.js';
import { dashboardDir } from './dashboard-dir.js';
import type { Db } from './db/db.js';
import { migrate } from './db/migrate.js';
import { PgDb } from './db/pg-db.js';
import { PgliteDb } from './db/pglite-db.js';
import { installAuth } from './http/auth-hook.js';
import { installTracing } from './http/tracing-hook.js';
import { answerClientError, errorHandler, problem, sendProblem } from './http/problem.js';
import { parseJsonBody } from './http/json-body.js';
import { AppError } from './domain/errors.js';
import { ManagerMetrics } from './metrics.js';
import type { RouteContext } from './routes/context.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { jobRoutes } from './routes/jobs.js';
import { queueRoutes } from './routes/queues.js';
import { stageRoutes } from './routes/stages.js';
import { systemRoutes } from './routes/system.js';
import { taskRoutes } from './routes/tasks.js';
import { AuthService } from './services/auth-service.js';
import { JobTypeService } from './services/job-type-service.js';
import { Retention } from './services/retention.js';
import { ScheduleService } from './services/schedule-service.js';
import { WebhookDispatcher, enqueueSettled } from './services/webhook-dispatcher.js';
import { scheduleRoutes } from './routes/schedules.js';
import { JobService } from './services/job-service.js';
import { LifecycleService } from './services/lifecycle-service.js';
import { ReadySignal } from './services/ready-signal.js';
import { StatsService } from './services/stats-service.js';
import { Sweeper } from './services/sweeper.js';
import { Throughput } from './services/throughput.js';
import { WorkService } from './services/work-service.js';

export interface Manager {
  app: FastifyInstance;
  db: Db;
  config: ManagerConfig;
  logger: Logger;
  sweeper: Sweeper;
  schedules: ScheduleService;
  webhooks: WebhookDispatcher;
  retention: Retention;
  /** Stops background loops, waits for in-flight requests, closes the database. */
  close(): Promise<void>;
}

export async function openDb(config: ManagerConfig, logger: Logger): Promise<Db> {
  if (config.database.url) return new PgDb({ url: config.database.url, poolSize: config.database.poolSize, logger });
  return PgliteDb.open(config.database.pgliteDir);
}

export async function buildManager(config: ManagerConfig, logger: Logger = pino({ level: config.log.level })): Promise<Manager> {
  const db = await openDb(config, logger);
  if (config.database.migrateOnStart) {
    const applied = await migrate(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const ready = new ReadySignal();
  await ready.start(db);
  const metrics = new ManagerMetrics(db, ready);
  const throughput = new Throughput();

  const types = new JobTypeService();
  const jobs = new JobService(db, {
    maxTasksPerRequest: config.http.maxTasksPerRequest,
    taskDefaults: {
      maxAttempts: config.tasks.maxAttempts,
      backoff: { baseMs: config.tasks.backoffBaseMs, maxMs: config.tasks.backoffMaxMs, jitter: config.tasks.backoffJitter },
      timeoutMs: null,
    },
  }, types);
  // Every transaction that settles stages or jobs also writes their webhook events (the outbox).
  const lifecycle = new LifecycleService(db, jobs, enqueueSettled);
  const work = new WorkService(db, ready, { defaultLeaseMs: config.tasks.leaseMs }, enqueueSettled, {
    dequeued: (count, seconds) => {
      metrics.dequeueLatency.observe(seconds);
      metrics.tasksDequeued.inc(count);
    },
    acked: (statuses) => {
      let completed = 0;
      let failed = 0;
      for (const s of statuses) {
        metrics.taskTransitions.inc({ status: s });
        if (s === 'COMPLETED') completed++;
        else if (s === 'FAILED') failed++;
      }
      throughput.record(completed, failed);
    },
  });
  const sweeper = new Sweeper(db, config.tasks.sweepIntervalMs, logger, enqueueSettled, (t) => {
    metrics.sweeperRecoveries.inc({ outcome: 'retried' }, t.retried);
    metrics.sweeperRecoveries.inc({ outcome: 'failed' }, t.failed);
    throughput.record(0, t.failed);
  });
  const stats = new StatsService(db, throughput);
  const schedules = new ScheduleService(db, jobs, config.scheduler, logger);
  const webhooks = new WebhookDispatcher(db, config.webhooks, logger, (outcome) => metrics.webhookDeliveries.inc({ outcome }));
  const retention = new Retention(db, config.retention, logger);
  const auth = new AuthService(db, { mode: config.auth.mode as 'none' | 'apiKey', adminKey: config.auth.adminKey, cacheMs: config.auth.cacheMs });
  if (auth.options.mode === 'none') logger.warn('AUTH IS OFF (JOBNIK_AUTH_MODE=none): anyone who reaches this port is an admin; set JOBNIK_AUTH_MODE=apiKey outside development');

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.http.bodyLimitBytes,
    // Per-request logs would dominate the hot path; metrics and error logs cover requests.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Errors raised before routing (a path parameter over the router's length limit, a bad URL encoding).
    frameworkErrors: (err, request, reply) =>
      sendProblem(reply, problem(400, 'VALIDATION_FAILED', err.message, { instance: request.url, errors: [{ path: '/params', message: err.message }] })),
    // Errors from Node's HTTP parser (request head over 16 KiB, malformed request line) still get problem+json.
    clientErrorHandler: answerClientError,
  });
  // Bodyless POSTs (cancel, resume…) often still say application/json: treat an empty body as none.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      if (err instanceof SyntaxError) (err as { statusCode?: number }).statusCode = 400;
      done(err as Error, undefined);
    }
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, 'ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`, { instance: request.url })),
  );
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  installTracing(app);
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

  const ctx: RouteContext = { db, jobs, lifecycle, work, stats, limits: { maxJsonDepth: config.http.maxJsonDepth } };
  jobRoutes(app, ctx);
  stageRoutes(app, ctx);
  taskRoutes(app, ctx);
  queueRoutes(app, ctx);
  scheduleRoutes(app, ctx, schedules, types);
  apiKeyRoutes(app, ctx, auth);
  systemRoutes(app, db, metrics);

  const ui = dashboardDir(config);
  if (ui) {
    await app.register(fastifyStatic, {
      root: ui,
      prefix: '/ui/',
      wildcard: false,
      cacheControl: false,
      // Vite names assets by content hash: cache them for good; the shell must be revalidated to pick up a new build.
      setHeaders: (res, file) => {
        res.setHeader('cache-control', /[\\/]assets[\\/]/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    // Client-side routes (/ui/jobs/…) load the app shell. A file that is not there (an asset of an older
    // build, a typo) is a 404: served index.html instead, a browser would run HTML as a script.
    app.get('/ui/*', (request, reply) => {
      const path = request.url.split('?')[0]!;
      if (path.startsWith('/ui/assets/') || /\.[A-Za-z0-9]+$/.test(path)) {
        return sendProblem(reply, problem(404, 'ROUTE_NOT_FOUND', `no file ${path}`, { instance: request.url }));
      }
      return reply.sendFile('index.html');
    });
    app.get('/ui', (_req, reply) => reply.redirect('/ui/'));
  } else {
    app.get('/ui', (_req, reply) => reply.type('text/plain').send('The dashboard is not built: run `pnpm --filter @jobnik/dashboard build`.'));
  }
  app.get('/', (_req, reply) => reply.redirect(ui ? '/ui/' : '/docs'));

  sweeper.start();
  schedules.start();
  webhooks.start();
  retention.start();
  return {
    app,
    db,
    config,
    logger,
    sweeper,
    schedules,
    webhooks,
    retention,
    async close() {
      await sweeper.stop();
      await schedules.stop();
      await webhooks.stop();
      await retention.stop();
      await ready.stop();
      await app.close();
      await db.close();
    },
  };
}
