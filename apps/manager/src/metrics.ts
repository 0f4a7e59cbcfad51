// Prometheus metrics of the manager, on its own registry, and the per-queue gauges beside it (queue-gauges.ts): the
// /metrics scrape is both.
import client from 'prom-client';
import { QUEUE_DEPTH, QUEUE_DEPTH_UP, QUEUE_PAUSED, queueGaugesText } from './queue-gauges.js';
import { isHistoryWriteError } from './store/history.js';
import type { Queue, TaskStatus } from '@jobnik/contracts';
import type { RetentionObserver } from './loops/retention.js';
import type { SweepTotals } from './loops/sweeper.js';
import type { HealthService } from './services/health-service.js';
import type { QueueService } from './services/queue-service.js';
import type { XminHorizonWatch } from './services/xmin-horizon-watch.js';
import type { ReadySignal } from './services/ready-signal.js';

/** One call of `read` shared by the gauges collected from it in the same scrape (a scrape collects them together). */
function sharedPerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => (pending ??= read().finally(() => (pending = null)));
}

/** How long a scrape waits for the readiness check and the queue depths and xmin horizon (a database that does not answer must not stall the scrape past Prometheus' 10-s default timeout). */
const READY_SCRAPE_MS = 3_000;
const QUEUES_SCRAPE_MS = 5_000;

/** `p`'s value if it settles fulfilled within `ms`, else undefined. */
async function settledWithin<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([p.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

export class ManagerMetrics {
  readonly registry = new client.Registry();
  readonly httpDuration = new client.Histogram({
    name: 'jobnik_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly dequeueLatency = new client.Histogram({
    name: 'jobnik_dequeue_latency_seconds',
    help: 'Database time of a dequeue that handed out tasks',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly tasksDequeued = new client.Counter({ name: 'jobnik_tasks_dequeued_total', help: 'Tasks handed to workers', registers: [this.registry] });
  readonly taskTransitions = new client.Counter({
    name: 'jobnik_task_transitions_total',
    help: 'Task status changes made by worker acks and the sweeper, by resulting status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly sweeperRecoveries = new client.Counter({
    name: 'jobnik_sweeper_recoveries_total',
    help: 'Running tasks the sweeper took back, by outcome (retried, failed) ',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly conflictRetries = new client.Counter({
    name: 'jobnik_db_conflict_retries_total',
    help: 'Statements and transactions run again after PostgreSQL rolled them back to break a deadlock (40P01) or a serialization conflict (40001)',
    labelNames: ['sqlstate'],
    registers: [this.registry],
  });

  readonly dequeueThrottled = new client.Counter({
    name: 'jobnik_dequeue_throttled_total',
    help: 'Dequeues that leased fewer tasks than asked because ready work was held back, by reason: rate_limit (a stage type or tenant rate limit) or capacity (a queue cap or a job group full)',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  readonly webhookDeliveries = new client.Counter({
    name: 'jobnik_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered, retry, failed)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly jobsCreated = new client.Counter({
    name: 'jobnik_jobs_created_total',
    help: 'Jobs created (API and schedules), by job name',
    labelNames: ['name'],
    registers: [this.registry],
  });
  readonly taskAttempts = new client.Histogram({
    name: 'jobnik_task_attempts',
    help: 'Attempts a task took, observed when a worker ack finishes it (COMPLETED or FAILED for good)',
    labelNames: ['status'],
    buckets: [1, 2, 3, 5, 10, 20],
    registers: [this.registry],
  });
  readonly historyWriteFailures = new client.Counter({
    name: 'jobnik_history_write_failures_total',
    help: 'Requests that failed in their history write (job_history, task_attempts); the change they carried failed with it',
    registers: [this.registry],
  });

  readonly retentionExpiredJobs = new client.Gauge({
    name: 'jobnik_retention_expired_jobs',
    help: "Finished jobs past their retention and not yet deleted: counted when this replica's latest retention sweep began, lowered as it deletes them",
    registers: [this.registry],
  });
  readonly retentionOverdue = new client.Gauge({
    name: 'jobnik_retention_overdue_seconds',
    help: "How long past its retention the most overdue of those jobs was when this replica's latest retention sweep began (0 once a sweep finds none); growing from sweep to sweep means retention does not keep up",
    registers: [this.registry],
  });
  readonly retentionDeleted = new client.Counter({
    name: 'jobnik_retention_deleted_total',
    help: 'Rows retention deleted, by what: jobs, tasks, history (job transitions and task attempts)',
    labelNames: ['what'],
    registers: [this.registry],
  });

  /** The queue depths of a scrape, one read shared by the scrapes that overlap it (two Prometheus servers, say). */
  private readonly queuesNow: () => Promise<Queue[] | undefined>;

  constructor(
    queues: Pick<QueueService, 'depths'>,
    ready: ReadySignal,
    horizonWatch: XminHorizonWatch,
    health: Pick<HealthService, 'ready'>,
    options: { idleQueues: boolean } = { idleQueues: true },
  ) {
    this.queuesNow = sharedPerScrape(() => settledWithin(queues.depths(null, options.idleQueues), QUEUES_SCRAPE_MS));
    // Counters of known outcomes start at 0, so that rate() and increase() see their first event (a series that
    // appears at 1 has no earlier sample to rise from) and alerts on them can fire.
    for (const outcome of ['retried', 'failed']) this.sweeperRecoveries.inc({ outcome }, 0);
    for (const outcome of ['delivered', 'retry', 'failed']) this.webhookDeliveries.inc({ outcome }, 0);
    for (const reason of ['rate_limit', 'capacity']) this.dequeueThrottled.inc({ reason }, 0);
    for (const what of ['jobs', 'tasks', 'history']) this.retentionDeleted.inc({ what }, 0);
    new client.Gauge({
      name: 'jobnik_long_polls_waiting',
      help: 'Dequeue long-polls parked in this manager waiting for work (idle worker capacity)',
      registers: [this.registry],
      collect() {
        this.set(ready.waiting);
      },
    });
    new client.Gauge({
      name: 'jobnik_ready',
      help: `Whether this replica can do its work, as /health/ready says: 1 when its database answers (within ${READY_SCRAPE_MS / 1000} s of the scrape) and carries the schema this build needs, else 0 (database unreachable, schema behind)`,
      registers: [this.registry],
      async collect() {
        this.set((await settledWithin(health.ready(), READY_SCRAPE_MS))?.ok ? 1 : 0);
      },
    });
    // Unprefixed (process_cpu_seconds_total, nodejs_heap_size_used_bytes…), as the worker exports them, so the
    // standard Node.js dashboards work; `job`/`service` labels tell the manager apart.
    client.collectDefaultMetrics({ register: this.registry });
    if (horizonWatch.enabled) {
      // A read that fails, or does not answer within the queue depths' bound, reads NaN (unknown) and fails nothing
      // else: the queue depths in the same scrape drive autoscaling.
      const horizonNow = sharedPerScrape(() => settledWithin(horizonWatch.read(), QUEUES_SCRAPE_MS));
      new client.Gauge({
        name: 'jobnik_db_xmin_horizon_age_seconds',
        help: 'How long the oldest holder of this database\'s xmin horizon has held it (a session idle in a transaction, a long query, a prepared transaction, a replication slot): while it lasts, every lease and ack leaves dead versions no vacuum can remove, and throughput falls. Read at scrape time; a holder whose start PostgreSQL does not show this role (another role\'s session without pg_monitor, a slot) is dated from the first scrape that found it',
        registers: [this.registry],
        async collect() {
          this.set((await horizonNow())?.holderAgeSeconds ?? NaN);
        },
      });
      new client.Gauge({
        name: 'jobnik_db_xmin_horizon_age_transactions',
        help: 'Transaction ids the xmin horizon of this database lags behind the next one. Read at scrape time',
        registers: [this.registry],
        async collect() {
          this.set((await horizonNow())?.ageTransactions ?? NaN);
        },
      });
    }
  }

  /** Content type of `exposition()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * The scrape: the registry's metrics and the per-queue gauges (queue-gauges.ts), read together. A database that
   * cannot be read (down, unreachable, schema behind) leaves the queue series out rather than failing the scrape:
   * it still says what is wrong (jobnik_ready 0, jobnik_queue_depth_up 0), and `up` stays 1.
   */
  async exposition(): Promise<string> {
    const [text, queues] = await Promise.all([this.registry.metrics(), this.queuesNow()]);
    return `${text}\n${queueGaugesText(queues)}`;
  }

  /** Names of every metric family the scrape carries. */
  familyNames(): string[] {
    return [...this.registry.getMetricsAsArray().map((m) => m.name), QUEUE_DEPTH, QUEUE_PAUSED, QUEUE_DEPTH_UP];
  }

  /** A dequeue handed out `count` tasks after `seconds` of database work. */
  dequeued(count: number, seconds: number): void {
    this.dequeueLatency.observe(seconds);
    this.tasksDequeued.inc(count);
  }

  /** Worker acks moved tasks to these statuses (with the attempts each had taken). */
  acked(statuses: readonly TaskStatus[], attempts: readonly number[] = []): void {
    statuses.forEach((s, i) => {
      this.taskTransitions.inc({ status: s });
      if ((s === 'COMPLETED' || s === 'FAILED') && attempts[i] !== undefined) this.taskAttempts.observe({ status: s }, attempts[i]);
    });
  }

  /** An error a request ended with: counted when it came from a history write. */
  observeError(err: unknown): void {
    if (isHistoryWriteError(err)) this.historyWriteFailures.inc();
  }

  /** Retention's view of its backlog, and what it deleted (wired as a RetentionObserver). */
  readonly retention: RetentionObserver = {
    expired: (jobs, overdueSeconds) => {
      this.retentionExpiredJobs.set(jobs);
      this.retentionOverdue.set(overdueSeconds);
    },
    deleted: (what, n) => this.retentionDeleted.inc({ what }, n),
  };

  /** The sweeper took back running tasks: retried ones went to PENDING, exhausted ones to FAILED. */
  swept(t: SweepTotals): void {
    this.sweeperRecoveries.inc({ outcome: 'retried' }, t.retried);
    this.sweeperRecoveries.inc({ outcome: 'failed' }, t.failed);
    this.taskTransitions.inc({ status: 'PENDING' }, t.retried);
    this.taskTransitions.inc({ status: 'FAILED' }, t.failed);
  }
}
