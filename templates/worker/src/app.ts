// Starts the worker app from a container: registers the handler for every configured stage type, starts
// the health server and the worker; stop() drains the worker within the grace, then closes the server.
import type { Logger } from 'pino';
import type { ProducerClient, WorkerClient } from '@jobnik/sdk';
import type { DependencyContainer } from './di.js';
import { loadConfig, type DeepPartial, type WorkerConfig } from './config.js';
import { createAppContainer } from './container.js';
import type { TaskHandlerService } from './handlers/task-handler-service.js';
import { HealthServer } from './health-server.js';
import type { WorkerJobs } from './jobs.js';
import { ManagerReadiness } from './manager-readiness.js';
import { TOKENS } from './tokens.js';
import { logWorkerEvents } from './worker-logs.js';

export interface WorkerApp {
  container: DependencyContainer;
  config: WorkerConfig;
  worker: WorkerClient<WorkerJobs>;
  producer: ProducerClient<WorkerJobs>;
  /** URL of the health/metrics server, e.g. http://127.0.0.1:8081. */
  healthUrl: string;
  /** Drains the worker (at most graceMs, default from config) and closes the health server. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartWorkerAppOptions {
  /** Config overrides on top of the environment. */
  config?: DeepPartial<WorkerConfig>;
  /** A prepared container (e.g. with fakes registered); default: createAppContainer(config). */
  container?: DependencyContainer;
}

export async function startWorkerApp(options: StartWorkerAppOptions = {}): Promise<WorkerApp> {
  const c = options.container ?? createAppContainer(loadConfig(options.config));
  const config = c.resolve<WorkerConfig>(TOKENS.Config);
  const logger = c.resolve<Logger>(TOKENS.Logger);
  const worker = c.resolve<WorkerClient<WorkerJobs>>(TOKENS.WorkerClient);
  const handler = c.resolve<TaskHandlerService>(TOKENS.TaskHandler);
  const readiness = c.resolve(ManagerReadiness);
  const health = c.resolve(HealthServer);

  for (const stageType of config.worker.stageTypes) worker.handle(stageType, (task, ctx) => handler.handle(task, ctx));
  logWorkerEvents(worker, logger);

  const port = await health.listen(config.health.port);
  await worker.start();
  readiness.setRunning(true);
  logger.info({ workerId: worker.workerId, manager: config.manager.url, stageTypes: config.worker.stageTypes, healthPort: port }, 'worker started');

  let stopping: Promise<void> | null = null;
  return {
    container: c,
    config,
    worker,
    producer: c.resolve<ProducerClient<WorkerJobs>>(TOKENS.ProducerClient),
    healthUrl: `http://127.0.0.1:${port}`,
    stop(graceMs = config.worker.shutdownGraceMs) {
      stopping ??= (async () => {
        readiness.setRunning(false);
        logger.info({ graceMs }, 'worker stopping');
        try {
          await worker.stop({ graceMs });
        } finally {
          await health.close();
        }
        logger.info('worker stopped');
      })();
      return stopping;
    },
  };
}
