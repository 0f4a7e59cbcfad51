// Builds the services and background loops of one manager on an open database, and connects their
// observations to metrics. Nothing here runs until the loops are started.
import type { Logger } from 'pino';
import type { ManagerConfig } from './config.js';
import type { Db } from './db/db.js';
import { SchemaCheck } from './db/schema-version.js';
import { BlockedNetworks } from './domain/blocked-networks.js';
import { Periodic } from './loops/periodic.js';
import { Retention } from './loops/retention.js';
import { Scheduler } from './loops/scheduler.js';
import { Sweeper } from './loops/sweeper.js';
import { WebhookDispatcher } from './loops/webhook-dispatcher.js';
import { ManagerMetrics } from './metrics.js';
import { AuthService } from './services/auth-service.js';
import { DirectiveService } from './services/directive-service.js';
import { DirectiveSignal } from './services/directive-signal.js';
import { FlowService } from './services/flow-service.js';
import { EventFeed } from './services/event-feed.js';
import { EventStreamService } from './services/event-stream-service.js';
import { HealthService } from './services/health-service.js';
import { JobService } from './services/job-service.js';
import { JobTypeService } from './services/job-type-service.js';
import { LifecycleService } from './services/lifecycle-service.js';
import { QueueService } from './services/queue-service.js';
import { ReadService } from './services/read-service.js';
import { ReadySignal } from './services/ready-signal.js';
import { ScanMarks } from './services/scan-marks.js';
import { ScheduleService } from './services/schedule-service.js';
import { StatsService } from './services/stats-service.js';
import { Throughput } from './services/throughput.js';
import { WorkService } from './services/work-service.js';
import { V1Service } from './services/v1-service.js';
import { XminHorizonWatch } from './services/xmin-horizon-watch.js';

/** What route plugins call. */
export interface Services {
  reads: ReadService;
  jobs: JobService;
  lifecycle: LifecycleService;
  work: WorkService;
  queues: QueueService;
  stats: StatsService;
  schedules: ScheduleService;
  jobTypes: JobTypeService;
  auth: AuthService;
  health: HealthService;
  directives: DirectiveService;
  /** The /v1 (MapColonies-compatible) API. */
  v1: V1Service;
  flow: FlowService;
  events: EventStreamService;
}

export interface Loops {
  sweeper: Sweeper;
  scheduler: Scheduler;
  webhooks: WebhookDispatcher;
  retention: Retention;
  throughput: Periodic;
}

export interface Wiring {
  services: Services;
  loops: Loops;
  metrics: ManagerMetrics;
  ready: ReadySignal;
  /** Whether the database carries the schema this build needs (readiness, the API gate, the loops' start). */
  schema: SchemaCheck;
  /** Wake-ups of the directives long-poll; stopped on close so parked polls answer at once. */
  directiveSignal: DirectiveSignal;
}

/** How often the event feed looks for new history while someone listens (the streams' latency). */
const EVENT_POLL_MS = 100;

/** How often this replica's throughput counts are written for the cluster-wide /stats. */
const THROUGHPUT_FLUSH_MS = 1000;

export async function wire(db: Db, config: ManagerConfig, logger: Logger): Promise<Wiring> {
  const marks = new ScanMarks(config.tasks.readyRescanMs);
  const ready = new ReadySignal((type, since) => marks.lower(type, since));
  await ready.start(db);
  const directiveSignal = new DirectiveSignal();
  await directiveSignal.start(db);
  const queues = new QueueService(db);
  const schema = new SchemaCheck(db, logger);
  const health = new HealthService(db, schema);
  const metrics = new ManagerMetrics(queues, ready, new XminHorizonWatch(db), health, { idleQueues: config.metrics.idleQueues });
  db.observeConflictRetries((sqlState) => metrics.conflictRetries.inc({ sqlstate: sqlState }));
  const throughput = new Throughput(db);

  const reads = new ReadService(db);
  const jobTypes = new JobTypeService(db);
  // Parsed once: the job service refuses blocked addresses at creation, the dispatcher at delivery.
  const blockedNetworks = BlockedNetworks.parse(config.webhooks.blockedNetworks);
  const jobs = new JobService(
    db,
    {
      maxTasksPerRequest: config.http.maxTasksPerRequest,
      history: config.history.enabled,
      blockedNetworks,
      taskDefaults: {
        maxAttempts: config.tasks.maxAttempts,
        backoff: { baseMs: config.tasks.backoffBaseMs, maxMs: config.tasks.backoffMaxMs, jitter: config.tasks.backoffJitter },
        timeoutMs: null,
      },
    },
    jobTypes,
    reads,
    { created: (name) => metrics.jobsCreated.inc({ name }) },
  );
  const work = new WorkService(db, ready, marks, { defaultLeaseMs: config.tasks.leaseMs, history: config.history.enabled }, {
    dequeued: (count, seconds) => metrics.dequeued(count, seconds),
    throttled: (reason) => metrics.dequeueThrottled.inc({ reason }),
    acked: (statuses, tallies, attempts) => {
      metrics.acked(statuses, attempts);
      throughput.record(tallies);
    },
    limitedRoundFailed: (err, leased) => logger.warn({ err, leased }, 'dequeue: the round of limited queues failed; handing out the tasks the first round leased'),
  });
  const auth = new AuthService(db, { mode: config.auth.mode as 'none' | 'apiKey', adminKey: config.auth.adminKey, cacheMs: config.auth.cacheMs });
  const lifecycle = new LifecycleService(db, reads, config.history.enabled);
  const services: Services = {
    reads,
    jobs,
    lifecycle,
    work,
    queues,
    stats: new StatsService(db, throughput),
    schedules: new ScheduleService(db, jobs),
    jobTypes,
    auth,
    health,
    directives: new DirectiveService(db, directiveSignal),
    v1: new V1Service(db, reads, jobs, lifecycle, work, {
      leaseMs: config.v1.leaseMs,
      maxAttempts: config.v1.maxAttempts,
      recordHistory: config.history.enabled,
      taskDefaults: { maxAttempts: config.tasks.maxAttempts, backoff: { baseMs: config.tasks.backoffBaseMs, maxMs: config.tasks.backoffMaxMs, jitter: config.tasks.backoffJitter }, timeoutMs: null },
    }),
    flow: new FlowService(db),
    events: new EventStreamService(db, new EventFeed(db, EVENT_POLL_MS, logger), reads),
  };
  const loops: Loops = {
    sweeper: new Sweeper(db, config.tasks.sweepIntervalMs, logger, (t) => {
      metrics.swept(t);
      throughput.record(t.tallies);
    }, config.history.enabled),
    scheduler: new Scheduler(db, jobs, config.scheduler, logger),
    webhooks: new WebhookDispatcher(db, { ...config.webhooks, blockedNetworks }, logger, (outcome) => metrics.webhookDeliveries.inc({ outcome })),
    retention: new Retention(db, config.retention, logger, metrics.retention),
    // Every second, and once more on close, so a replica's last second is not lost.
    throughput: new Periodic('throughput flush', THROUGHPUT_FLUSH_MS, () => throughput.flush(), logger, { runOnStop: true }),
  };
  return { services, loops, metrics, ready, schema, directiveSignal };
}
