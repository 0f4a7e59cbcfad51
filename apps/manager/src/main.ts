#!/usr/bin/env node
// jobnik-manager serve | migrate
import pino from 'pino';
import { loadConfig, type ManagerConfig } from './config.js';
import { openDb } from './app.js';
import { migrate } from './db/migrate.js';
import { limitHeapGrowth } from './heap-growth.js';
import { startManager } from './server.js';
import { startFailureCause } from './start-failure.js';
import { traceLogFields } from './telemetry/log-trace.js';
import { startTelemetry } from './telemetry/otel-sdk.js';

/** How long past shutdown.graceMs a shutdown may still take before the process exits 1 anyway. */
const SHUTDOWN_BACKSTOP_MS = 3_000;

/** The configuration, or exit 2 with one line naming what is wrong (a stack trace helps no one here). */
function configOrExit(): ManagerConfig {
  try {
    return loadConfig();
  } catch (err) {
    console.error(`jobnik-manager: invalid configuration: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
}

async function main(command: string): Promise<void> {
  const config = configOrExit();
  limitHeapGrowth(config.memory.heapGrowthPercent);
  const logger = pino({ level: config.log.level, mixin: traceLogFields });
  if (command === 'migrate') {
    const db = await openDb(config, logger);
    const applied = await migrate(db);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'database is up to date');
    await db.close();
    return;
  }
  if (command !== 'serve') {
    console.error('usage: jobnik-manager serve | migrate');
    process.exit(2);
  }
  // Before the manager starts, so its first spans already have somewhere to go.
  const telemetry = startTelemetry('jobnik-manager');
  if (telemetry.enabled) logger.info({ endpoint: telemetry.endpoint, protocol: telemetry.protocol }, 'exporting traces over OTLP');
  const manager = await startManager({}, logger);
  if (!config.database.url) logger.warn({ dir: config.database.pgliteDir }, 'no DATABASE_URL: using the embedded PGlite store (one process, for development and demos)');
  logger.info({ url: manager.url, dashboard: `${manager.url}/ui/`, docs: `${manager.url}/docs` }, 'jobnik manager listening');
  console.log(`Jobnik manager: ${manager.url}  (dashboard ${manager.url}/ui/, API docs ${manager.url}/docs)`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // In-flight requests get shutdown.graceMs, then their connections are closed and the shutdown goes on (app.ts);
    // this is the backstop for a shutdown stuck past that (the database not closing), short of the pod's own limit
    // (the chart's terminationGracePeriodSeconds is the grace + preStop + 5 s).
    const force = setTimeout(() => {
      logger.error({ graceMs: config.shutdown.graceMs }, 'shutdown did not finish within the grace and 3 s more; exiting');
      process.exit(1);
    }, config.shutdown.graceMs + SHUTDOWN_BACKSTOP_MS);
    force.unref();
    // Spans still buffered are exported once the last request has been answered.
    manager
      .close()
      .then(() => telemetry.shutdown())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main(process.argv[2] ?? 'serve').catch((err: unknown) => {
  const cause = startFailureCause(err);
  console.error(cause !== null ? `jobnik-manager: cannot start: ${cause}` : err);
  process.exit(1);
});
