// The worker's Prometheus metrics on a registry the user may pass. Creation is idempotent per registry:
// a second worker (or a second copy of the SDK) on the same registry reuses the metrics already there.
import { Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';

export const TASK_OUTCOMES = ['completed', 'failed', 'released', 'lease_lost', 'cancelled'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

export interface WorkerMetrics {
  registry: Registry;
  tasksInFlight: Gauge;
  taskDuration: Histogram<'stage_type' | 'outcome'>;
  tasksTotal: Counter<'stage_type' | 'outcome'>;
  dequeueRequests: Counter;
  dequeueEmpty: Counter;
  dequeueWaitsForAcks: Counter;
  quietTasks: Counter;
  breakerState: Gauge;
  /** The labelled children of tasksTotal and taskDuration, cached: labelling hashes the labels on every call. */
  byOutcome(stageType: string, outcome: TaskOutcome): OutcomeMetrics;
  /**
   * Puts a stage type's task counters on the registry at 0, one per outcome: a series that first appears at 1 gives
   * Prometheus' increase() and rate() nothing to rise from, so an alert on the first failure or lost lease never fires.
   */
  countOutcomesOf(stageType: string): void;
}

export interface OutcomeMetrics {
  total: { inc(value?: number): void };
  duration: { observe(value: number): void };
}

const cache = new WeakMap<Registry, WorkerMetrics>();

function getOrCreate<M extends Metric>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

export function workerMetrics(registry: Registry = new Registry()): WorkerMetrics {
  const cached = cache.get(registry);
  if (cached) return cached;
  const registers = [registry];
  const m: Omit<WorkerMetrics, 'byOutcome' | 'countOutcomesOf'> & Partial<Pick<WorkerMetrics, 'byOutcome' | 'countOutcomesOf'>> = {
    registry,
    tasksInFlight: getOrCreate(registry, 'jobnik_worker_tasks_in_flight', () =>
      new Gauge({ name: 'jobnik_worker_tasks_in_flight', help: 'Handlers running now', registers }),
    ),
    taskDuration: getOrCreate(registry, 'jobnik_worker_task_duration_seconds', () =>
      new Histogram({
        name: 'jobnik_worker_task_duration_seconds',
        help: 'Handler run time by stage type and outcome',
        labelNames: ['stage_type', 'outcome'] as const,
        buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
        registers,
      }),
    ),
    tasksTotal: getOrCreate(registry, 'jobnik_worker_tasks_total', () =>
      new Counter({
        name: 'jobnik_worker_tasks_total',
        help: 'Tasks finished by this worker by stage type and outcome (completed, failed, released, lease_lost, cancelled)',
        labelNames: ['stage_type', 'outcome'] as const,
        registers,
      }),
    ),
    dequeueRequests: getOrCreate(registry, 'jobnik_worker_dequeue_requests_total', () =>
      new Counter({ name: 'jobnik_worker_dequeue_requests_total', help: 'Dequeue calls sent (including failed ones)', registers }),
    ),
    dequeueEmpty: getOrCreate(registry, 'jobnik_worker_dequeue_empty_total', () =>
      new Counter({ name: 'jobnik_worker_dequeue_empty_total', help: 'Dequeue calls that returned no task', registers }),
    ),
    dequeueWaitsForAcks: getOrCreate(registry, 'jobnik_worker_dequeue_waits_for_acks_total', () =>
      new Counter({
        name: 'jobnik_worker_dequeue_waits_for_acks_total',
        help: 'Times the worker stopped asking for tasks because maxHeldLeases leases were held, finished tasks waiting for their acks',
        registers,
      }),
    ),
    quietTasks: getOrCreate(registry, 'jobnik_worker_quiet_tasks_total', () =>
      new Counter({
        name: 'jobnik_worker_quiet_tasks_total',
        help: 'Tasks started in a quiet slot (quietSlots): of a tenant with nothing running, while every other slot was busy',
        registers,
      }),
    ),
    breakerState: getOrCreate(registry, 'jobnik_worker_breaker_state', () =>
      new Gauge({ name: 'jobnik_worker_breaker_state', help: 'Manager connection breaker: 0 closed, 1 open, 2 half-open', registers }),
    ),
  };
  const children = new Map<string, OutcomeMetrics>();
  m.byOutcome = (stageType, outcome) => {
    const key = `${stageType}\u0000${outcome}`;
    let c = children.get(key);
    if (!c) {
      const labels = { stage_type: stageType, outcome };
      c = { total: m.tasksTotal.labels(labels), duration: m.taskDuration.labels(labels) };
      children.set(key, c);
    }
    return c;
  };
  m.countOutcomesOf = (stageType) => {
    for (const outcome of TASK_OUTCOMES) m.tasksTotal.inc({ stage_type: stageType, outcome }, 0);
  };
  const metrics = m as WorkerMetrics;
  cache.set(registry, metrics);
  return metrics;
}
