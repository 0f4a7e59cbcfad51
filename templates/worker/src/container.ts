// The one place the object graph is put together: config, logger, metrics registry, SDK clients and the
// handler, each registered under its token (see tokens.ts). Tests take a child container and replace any of them.
import pino from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { WorkerClient } from '@jobnik/sdk';
import { container as rootContainer, instanceCachingFactory, Lifecycle, type DependencyContainer } from './di.js';
import type { WorkerConfig } from './config.js';
import { TileHandler } from './handlers/tile-handler.js';
import type { WorkerJobs } from './jobs.js';
import { HealthServer } from './health-server.js';
import { ManagerReadiness } from './manager-readiness.js';
import { traceLogFields } from './telemetry.js';
import { TOKENS } from './tokens.js';

export function createAppContainer(config: WorkerConfig, parent: DependencyContainer = rootContainer): DependencyContainer {
  const c = parent.createChildContainer();
  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.Logger, { useFactory: instanceCachingFactory(() => pino({ name: 'jobnik-worker', level: config.log.level, mixin: traceLogFields })) });
  c.register(TOKENS.MetricsRegistry, {
    useFactory: instanceCachingFactory(() => {
      const registry = new Registry();
      collectDefaultMetrics({ register: registry });
      return registry;
    }),
  });
  c.register(TOKENS.Random, { useValue: Math.random });
  c.register(TOKENS.WorkerClient, {
    useFactory: instanceCachingFactory(
      (d) =>
        new WorkerClient<WorkerJobs>({
          baseUrl: d.resolve<WorkerConfig>(TOKENS.Config).manager.url,
          apiKey: d.resolve<WorkerConfig>(TOKENS.Config).manager.apiKey || undefined,
          concurrency: d.resolve<WorkerConfig>(TOKENS.Config).worker.concurrency,
          quietSlots: d.resolve<WorkerConfig>(TOKENS.Config).worker.quietSlots,
          waitMs: d.resolve<WorkerConfig>(TOKENS.Config).worker.waitMs,
          leaseMs: d.resolve<WorkerConfig>(TOKENS.Config).worker.leaseMs,
          graceMs: d.resolve<WorkerConfig>(TOKENS.Config).worker.shutdownGraceMs,
          registry: d.resolve<Registry>(TOKENS.MetricsRegistry),
          logger: d.resolve<pino.Logger>(TOKENS.Logger),
        }),
    ),
  });
  // The producer shares the worker's connection pool and breaker.
  c.register(TOKENS.ProducerClient, { useFactory: instanceCachingFactory((d) => d.resolve<WorkerClient<WorkerJobs>>(TOKENS.WorkerClient).producer) });
  c.register(TOKENS.TaskHandler, { useClass: TileHandler }, { lifecycle: Lifecycle.ContainerScoped });
  c.register(ManagerReadiness, { useClass: ManagerReadiness }, { lifecycle: Lifecycle.ContainerScoped });
  c.register(HealthServer, { useClass: HealthServer }, { lifecycle: Lifecycle.ContainerScoped });
  return c;
}
