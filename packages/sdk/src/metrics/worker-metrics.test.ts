import { describe, expect, it } from 'vitest';
import { Counter, Registry } from 'prom-client';
import { workerMetrics } from './worker-metrics.js';

describe('workerMetrics', () => {
  it('can be created twice on one registry (two workers in one process) without throwing, sharing the series', async () => {
    const registry = new Registry();
    const a = workerMetrics(registry);
    const b = workerMetrics(registry);
    a.tasksTotal.inc({ stage_type: 'x', outcome: 'completed' });
    b.tasksTotal.inc({ stage_type: 'x', outcome: 'completed' });
    const text = await registry.metrics();
    expect(text).toContain('jobnik_worker_tasks_total{stage_type="x",outcome="completed"} 2');
    for (const name of ['jobnik_worker_tasks_in_flight', 'jobnik_worker_task_duration_seconds', 'jobnik_worker_dequeue_requests_total', 'jobnik_worker_dequeue_empty_total', 'jobnik_worker_dequeue_waits_for_acks_total', 'jobnik_worker_quiet_tasks_total', 'jobnik_worker_breaker_state']) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });

  it('reuses metrics another copy of the SDK already registered on the registry', () => {
    const registry = new Registry();
    const existing = new Counter({ name: 'jobnik_worker_dequeue_requests_total', help: 'registered elsewhere', registers: [registry] });
    const m = workerMetrics(registry);
    expect(m.dequeueRequests).toBe(existing);
  });

  it('defaults to a registry of its own, not the global one', () => {
    const m = workerMetrics();
    expect(m.registry).toBeInstanceOf(Registry);
    expect(workerMetrics()).not.toBe(m);
  });

  it('puts a stage type’s task counters at 0 for every outcome, without touching counts already there', async () => {
    const registry = new Registry();
    const m = workerMetrics(registry);
    m.byOutcome('tile', 'failed').total.inc(2);
    m.countOutcomesOf('tile');
    const text = await registry.metrics();
    const series = text.split('\n').filter((l) => l.startsWith('jobnik_worker_tasks_total{'));
    expect(series.sort()).toEqual([
      'jobnik_worker_tasks_total{stage_type="tile",outcome="cancelled"} 0',
      'jobnik_worker_tasks_total{stage_type="tile",outcome="completed"} 0',
      'jobnik_worker_tasks_total{stage_type="tile",outcome="failed"} 2',
      'jobnik_worker_tasks_total{stage_type="tile",outcome="lease_lost"} 0',
      'jobnik_worker_tasks_total{stage_type="tile",outcome="released"} 0',
    ]);
  });
});
