// Assembles a manager: database, migrations, services, the HTTP app with its routes, background loops.
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { ManagerConfig } from './config.js';
import type { Db } from './db/db.js';
import { migrate } from './db/migrate.js';
import { openEmbeddedDb, type WasmCompiler } from './db/embedded.js';
import { PgDb } from './db/pg-db.js';
import { databaseTarget, waitForDatabase } from './db/wait-for-database.js';
import { closeConnectionsAfterResponses } from './http/close-after-response.js';
import { serveDashboard } from './http/dashboard.js';
import { createHttpApp } from './http/http-app.js';
import type { Retention } from './loops/retention.js';
import type { Scheduler } from './loops/scheduler.js';
import type { Sweeper } from './loops/sweeper.js';
import type { WebhookDispatcher } from './loops/webhook-dispatcher.js';
import type { ManagerMetrics } from './metrics.js';
import { registerRoutes } from './routes/index.js';
import { wire } from './wiring.js';

export interface Manager {
  app: FastifyInstance;
  db: Db;
  config: ManagerConfig;
  logger: Logger;
  metrics: ManagerMetrics;
  sweeper: Sweeper;
  schedules: Scheduler;
  webhooks: WebhookDispatcher;
  retention: Retention;
  /** Stops background loops, waits for in-flight requests, closes the database. */
  close(): Promise<void>;
}

export async function openDb(config: ManagerConfig, logger: Logger): Promise<Db> {
  if (config.database.url) {
    const { url, poolSize, idleInTransactionTimeoutMs, connectTimeoutMs, queryTimeoutMs, startupWaitMs } = config.database;
    const db = new PgDb({ url, poolSize, idleInTransactionTimeoutMs, connectTimeoutMs, queryTimeoutMs, logger });
    try {
      await waitForDatabase(db, { waitMs: startupWaitMs, target: databaseTarget(url), logger });
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
    return db;
  }
  return openEmbeddedDb(config.database.pgliteDir, { sharedBuffers: config.database.pgliteSharedBuffers, wasmCompiler: config.database.pgliteWasmCompiler as WasmCompiler });
}

export async function buildManager(config: ManagerConfig, logger: Logger = pino({ level: config.log.level })): Promise<Manager> {
  const db = await openDb(config, logger);
  if (config.database.migrateOnStart) {
    const applied = await migrate(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const { services, loops, metrics, ready, schema, directiveSignal } = await wire(db, config, logger);
  if (services.auth.options.mode === 'none') logger.warn('AUTH IS OFF (JOBNIK_AUTH_MODE=none): anyone who reaches this port is an admin; set JOBNIK_AUTH_MODE=apiKey outside development');

  const app = await createHttpApp(config, logger, metrics, services.auth, schema);
  app.addHook('onError', async (_request, _reply, err) => metrics.observeError(err));
  const beginClosingConnections = closeConnectionsAfterResponses(app);
  registerRoutes(app, { ...services, metrics, limits: { maxJsonDepth: config.http.maxJsonDepth }, metricsExposure: config.metrics });
  await serveDashboard(app, config);

  const running = [loops.sweeper, loops.scheduler, loops.webhooks, loops.retention, loops.throughput];
  // On a database the migrations have not reached, the loops wait (one log line, not one per tick); so does
  // applying the configuration's job groups and rate limits.
  let flowApplied: Promise<void> | undefined;
  await schema.whenCurrent(() => {
    flowApplied = services.flow.applyConfig(config.flow.groups, config.flow.rateLimits);
    flowApplied.catch((err: unknown) => logger.error({ err }, 'the configuration\'s job groups and rate limits (flow) could not be applied'));
    for (const loop of running) loop.start();
  });
  await flowApplied;
  return {
    app,
    db,
    config,
    logger,
    metrics,
    sweeper: loops.sweeper,
    schedules: loops.scheduler,
    webhooks: loops.webhooks,
    retention: loops.retention,
    async close() {
      beginClosingConnections();
      schema.stop();
      for (const loop of running) await loop.stop();
      // Parked long-polls (dequeue, directives) answer now, empty: app.close() waits for in-flight requests.
      await ready.stop();
      await directiveSignal.stop();
      services.events.close();
      // In-flight requests get shutdown.graceMs; then the connections left are closed (an event stream's client
      // may keep its socket open past the stream's end).
      const force = setTimeout(() => app.server.closeAllConnections(), config.shutdown.graceMs);
      force.unref();
      await app.close();
      clearTimeout(force);
      await db.close();
    },
  };
}
