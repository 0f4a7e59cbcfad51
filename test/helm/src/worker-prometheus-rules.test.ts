// The worker chart's alerting rules against a real Prometheus scraping two real worker processes (the template's
// main.ts, as the chart's image runs it) the way the chart's ServiceMonitor does (namespace, service and pod labels),
// beside a real manager: promtool accepts the rendered groups; every rule evaluates; nothing fires while the workers
// are healthy; then each alert fires for what it describes and for nothing else — the stage type whose handlers
// fail, the pod that stopped answering (for 3 s), the stage type whose handler outlived its lease, every pod once the
// manager is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestManager, type TestManager } from '@jobnik/manager/testing';
import { call } from './manager-api.js';
import { WORKER_CHART } from './paths.js';
import { Prometheus, promtoolCheckRules } from './prometheus.js';
import { one, render, type Manifest } from './render.js';
import { until } from './until.js';
import { WorkerProcess } from './worker-process.js';

const tiles = (n: number) => Array.from({ length: n }, (_, i) => ({ data: { x: i, y: 1, zoom: 4 } }));

describe('the worker chart’s alerting rules in a real Prometheus', () => {
  let manager: TestManager;
  let prometheus: Prometheus;
  let rule: Manifest;
  // Pod a renders tiles and fails every first attempt; pod b uploads slowly (5 s a task) on a 1-s lease.
  let renderer: WorkerProcess;
  let uploader: WorkerProcess;
  const values = {
    manager: { url: 'http://jobnik-manager.jobs.svc' },
    serviceMonitor: { enabled: true },
    prometheusRule: {
      enabled: true,
      alertLabels: { team: 'maps' },
      alerts: {
        // Not at the first failed scrape: on a loaded machine one scrape of a healthy pod can time out (1 s).
        workerUnresponsive: { enabled: true, for: '3s', severity: 'warning' },
        managerUnreachable: { enabled: true, for: '0s', severity: 'critical' },
        tasksFailing: { enabled: true, ratio: 0.25, window: '5m', severity: 'warning' },
        leasesLost: { enabled: true, threshold: 0, window: '5m', severity: 'warning' },
      },
    },
  };

  const firing = (name: string) => prometheus.firing(name);
  const untilFiring = (name: string) => until(() => firing(name), (alerts) => alerts.length > 0, `${name} firing`);

  beforeAll(async () => {
    rule = one(render(WORKER_CHART, { name: 'tiles', namespace: 'jobs', values }), 'PrometheusRule');
    manager = await startTestManager({ store: 'pglite', config: { tasks: { sweepIntervalMs: 200, backoffBaseMs: 20, backoffMaxMs: 100 } } });
    const common = { JOBNIK_MANAGER_URL: manager.url, WORKER_WAIT_MS: '1000', WORKER_SHUTDOWN_GRACE_MS: '1000' };
    [renderer, uploader] = await Promise.all([
      WorkerProcess.start({ ...common, WORKER_STAGE_TYPES: 'tile-render', TILE_FAILURE_RATE: '1', TILE_WORK_MS: '0' }),
      WorkerProcess.start({ ...common, WORKER_STAGE_TYPES: 'tile-upload', TILE_FAILURE_RATE: '0', TILE_WORK_MS: '5000', WORKER_LEASE_MS: '1000' }),
    ]);
    // The ServiceMonitor's labels: its namespace, the Service's name (the chart's full name, as the rule's), the pod.
    const job = (pod: string, w: WorkerProcess) => ({ name: pod, targets: [`127.0.0.1:${w.healthPort}`], labels: { namespace: 'jobs', service: rule.metadata.name, pod } });
    prometheus = await Prometheus.start([job('tiles-a', renderer), job('tiles-b', uploader)], 1, rule.spec.groups);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all([renderer?.kill(), uploader?.kill()]);
    await manager?.close().catch(() => undefined);
  });

  it('renders groups promtool accepts, one rule per enabled alert, each with the alert labels', () => {
    expect(promtoolCheckRules(rule.spec.groups)).toMatch(/SUCCESS: 4 rules found/);
    const names = rule.spec.groups[0].rules.map((r: { alert: string }) => r.alert);
    expect(names).toEqual(['JobnikWorkerUnresponsive', 'JobnikWorkerManagerUnreachable', 'JobnikWorkerTasksFailing', 'JobnikWorkerLeasesLost']);
    for (const r of rule.spec.groups[0].rules) expect(r.labels, r.alert).toMatchObject({ team: 'maps' });
    const fewer = one(render(WORKER_CHART, { values: { ...values, prometheusRule: { ...values.prometheusRule, alerts: { ...values.prometheusRule.alerts, tasksFailing: { ...values.prometheusRule.alerts.tasksFailing, enabled: false } } } } }), 'PrometheusRule');
    expect(fewer.spec.groups[0].rules.map((r: { alert: string }) => r.alert)).not.toContain('JobnikWorkerTasksFailing');
    expect(render(WORKER_CHART, { values: { manager: values.manager } }).map((m) => m.kind)).not.toContain('PrometheusRule');
  });

  it('evaluates every rule without error, and healthy idle workers fire nothing', async () => {
    const rules = await until(() => prometheus.rules(), (rs) => rs.length === 4 && rs.every((r) => r.health !== 'unknown'), 'every rule evaluated');
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
    await until(() => prometheus.value('count(up{namespace="jobs"} == 1)'), (v) => v === 2, 'both pods scraped');
    // Every outcome's counter is there at 0 from the start: the first failure is an increase Prometheus can see.
    expect(await prometheus.value('sum(jobnik_worker_tasks_total{namespace="jobs"})')).toBe(0);
    expect(await prometheus.value('count(jobnik_worker_tasks_total{namespace="jobs",outcome="lease_lost"})')).toBe(2);
    const scraped = Date.now();
    await until(() => prometheus.rules(), (rs) => rs.every((r) => Date.parse(r.lastEvaluation) > scraped), 'evaluated after the scrape');
    expect((await prometheus.alerts()).filter((a) => a.state === 'firing')).toEqual([]);
  });

  it('fires JobnikWorkerTasksFailing for the stage type whose handlers fail, not for the others', async () => {
    const job = await call<{ id: string }>(manager.url, 'POST', '/jobs', { name: 'render', stages: [{ type: 'tile-render', tasks: tiles(6) }] });
    const [alert, ...others] = await untilFiring('JobnikWorkerTasksFailing');
    expect(others).toEqual([]);
    expect(alert!.labels).toMatchObject({ stage_type: 'tile-render', severity: 'warning', team: 'maps' });
    // Every tile failed once, then rendered: half of the runs failed (more while only the failures are counted).
    expect(Number(alert!.value)).toBeGreaterThan(0.25);
    expect(Number(alert!.value)).toBeLessThanOrEqual(1);
    expect(alert!.annotations.summary).toBe('More than 0.25 of the tile-render tasks run in 5m failed');
    // What the alert counts is what the manager recorded: the job completed, every task on its second attempt.
    await until(() => call<{ status: string }>(manager.url, 'GET', `/jobs/${job.id}`), (j) => j.status === 'COMPLETED', 'render job completed');
    const { items } = await call<{ items: { attempts: number }[] }>(manager.url, 'GET', `/tasks?jobId=${job.id}`);
    expect(items.map((t) => t.attempts)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('fires JobnikWorkerUnresponsive for the pod that stopped answering, and JobnikWorkerLeasesLost once it resumes to find its task taken', async () => {
    const job = await call<{ id: string }>(manager.url, 'POST', '/jobs', { name: 'upload', stages: [{ type: 'tile-upload', tasks: tiles(1) }] });
    await until(() => call<{ items: unknown[] }>(manager.url, 'GET', `/tasks?jobId=${job.id}&status=IN_PROGRESS`), (p) => p.items.length === 1, 'upload running');
    uploader.proc.kill('SIGSTOP');
    try {
      const [alert, ...others] = await untilFiring('JobnikWorkerUnresponsive');
      expect(others).toEqual([]);
      expect(alert!.labels).toMatchObject({ pod: 'tiles-b', severity: 'warning', team: 'maps' });
      // Its lease (1 s) runs out while it is stopped: the sweeper takes the task back for a retry.
      await until(() => call<{ items: { attempts: number; status: string }[] }>(manager.url, 'GET', `/tasks?jobId=${job.id}`), (p) => p.items[0]!.status !== 'IN_PROGRESS', 'lease taken back');
      expect(await firing('JobnikWorkerLeasesLost')).toEqual([]);
    } finally {
      uploader.proc.kill('SIGCONT');
    }
    const [alert, ...others] = await untilFiring('JobnikWorkerLeasesLost');
    expect(others).toEqual([]);
    expect(alert!.labels).toMatchObject({ stage_type: 'tile-upload', severity: 'warning', team: 'maps' });
    expect(Number(alert!.value)).toBeGreaterThan(0);
    await until(() => firing('JobnikWorkerUnresponsive'), (a) => a.length === 0, 'unresponsive cleared after SIGCONT');
  });

  it('fires JobnikWorkerManagerUnreachable for every pod once the manager is gone', async () => {
    expect(await firing('JobnikWorkerManagerUnreachable')).toEqual([]);
    await manager.close();
    const alerts = await until(() => firing('JobnikWorkerManagerUnreachable'), (a) => a.length === 2, 'both pods alerting');
    expect(alerts.map((a) => a.labels.pod).sort()).toEqual(['tiles-a', 'tiles-b']);
    expect(alerts[0]!.labels).toMatchObject({ severity: 'critical', team: 'maps' });
  });
});
