// The manager chart's alerting rules against a real Prometheus: promtool accepts the rendered PrometheusRule's groups;
// Prometheus, scraping a real manager the way the chart's ServiceMonitor does (namespace and service labels), evaluates
// every rule without error, and the alerts fire for what they describe — a queue with ready work and no worker (not a
// paused one), a lease taken back from a silent worker, a finished job left past its retention, every replica gone, every
// replica up but unable to work (its schema behind), a transaction holding PostgreSQL's xmin horizon — and not before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@jobnik/manager';
import { startTestManager, type TestManager } from '@jobnik/manager/testing';
import { MANAGER_CHART } from './paths.js';
import { call } from './manager-api.js';
import { Prometheus, promtoolCheckRules } from './prometheus.js';
import { one, render, type Manifest } from './render.js';
import { until } from './until.js';

describe('the manager chart’s alerting rules in a real Prometheus', () => {
  let manager: TestManager;
  let prometheus: Prometheus;
  let rule: Manifest;
  // Every alert at once (for 0s) and with thresholds a test reaches; the chart's defaults wait minutes.
  const values = {
    serviceMonitor: { enabled: true },
    prometheusRule: {
      enabled: true,
      alertLabels: { team: 'maps' },
      alerts: {
        managerDown: { enabled: true, for: '0s', severity: 'critical' },
        managerNotReady: { enabled: true, for: '0s', severity: 'critical' },
        queueStalled: { enabled: true, for: '0s', severity: 'warning' },
        leasesLost: { enabled: true, threshold: 0, window: '5m', severity: 'warning' },
        retentionBehind: { enabled: true, overdueSeconds: 600, for: '0s', severity: 'warning' },
      },
    },
  };

  const firing = (name: string) => prometheus.firing(name);
  const untilFiring = (name: string) => until(() => firing(name), (alerts) => alerts.length > 0, `${name} firing`);

  beforeAll(async () => {
    rule = one(render(MANAGER_CHART, { name: 'jobnik', namespace: 'jobs', values }), 'PrometheusRule');
    manager = await startTestManager({
      store: 'pglite',
      config: { metrics: { listen: 'port', port: 0 }, tasks: { sweepIntervalMs: 200 }, retention: { days: 7, intervalMs: 3_600_000, batchSize: 1, dutyPercent: 1 } },
    });
    const target = new URL(manager.manager.metricsUrl!).host;
    // The ServiceMonitor's labels: its namespace and the Service's name (the chart's full name, as the rule's).
    prometheus = await Prometheus.start([{ name: 'jobnik-manager', targets: [target], labels: { namespace: 'jobs', service: rule.metadata.name } }], 1, rule.spec.groups);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await manager?.close().catch(() => undefined);
  });

  it('renders groups promtool accepts, one rule per enabled alert', () => {
    expect(promtoolCheckRules(rule.spec.groups)).toMatch(/SUCCESS: 8 rules found/);
    const names = rule.spec.groups[0].rules.map((r: { alert: string }) => r.alert);
    expect(names).toEqual([
      'JobnikManagerDown',
      'JobnikManagerNotReady',
      'JobnikQueueStalled',
      'JobnikLeasesLost',
      'JobnikRetentionBehind',
      'JobnikWebhooksFailing',
      'JobnikHistoryWritesFailing',
      'JobnikXminHorizonHeld',
    ]);
    for (const r of rule.spec.groups[0].rules) expect(r.labels, r.alert).toMatchObject({ team: 'maps' });
    // A switched-off alert is not rendered.
    const fewer = one(render(MANAGER_CHART, { values: { prometheusRule: { enabled: true, alerts: { queueStalled: { enabled: false, for: '1m', severity: 'x' } } } } }), 'PrometheusRule');
    expect(fewer.spec.groups[0].rules.map((r: { alert: string }) => r.alert)).not.toContain('JobnikQueueStalled');
  });

  it('evaluates every rule without error, and a healthy idle manager fires nothing', async () => {
    const rules = await until(() => prometheus.rules(), (rs) => rs.length === 8 && rs.every((r) => r.health !== 'unknown'), 'every rule evaluated');
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
    // Once scraped, and every rule evaluated after that scrape, nothing is pending or firing.
    await until(() => prometheus.value('up{namespace="jobs"}'), (v) => v === 1, 'scraped');
    const scraped = Date.now();
    await until(() => prometheus.rules(), (rs) => rs.every((r) => Date.parse(r.lastEvaluation) > scraped), 'evaluated after the scrape');
    expect(await prometheus.alerts()).toEqual([]);
  });

  it('fires JobnikQueueStalled for the stage type whose ready tasks nobody runs (not for a paused one), and clears once one runs', async () => {
    // Held back on purpose: paused before its work arrives, so every scrape that sees the orphan's work sees it too.
    await call(manager.url, 'PATCH', '/queues/held-type', { paused: true });
    await call(manager.url, 'POST', '/jobs', { name: 'held', stages: [{ type: 'held-type', tasks: [{}, {}] }] });
    await call(manager.url, 'POST', '/jobs', { name: 'stalled', stages: [{ type: 'orphan-type', tasks: [{}, {}, {}] }] });
    const alerts = await untilFiring('JobnikQueueStalled');
    expect(alerts.map((a) => a.labels.stage_type)).toEqual(['orphan-type']);
    const [alert] = alerts;
    expect(alert!.labels).toMatchObject({ stage_type: 'orphan-type', tenant: 'default', severity: 'warning', team: 'maps' });
    expect(Number(alert!.value)).toBe(3);
    expect(alert!.annotations.summary).toBe('Ready tasks of orphan-type (tenant default) wait and none runs');
    // A worker takes one and keeps its lease (5 s, renewed) until Prometheus sees it running: no longer stalled.
    const { tasks } = await call<{ tasks: { id: string; leaseToken: string }[] }>(manager.url, 'POST', '/dequeue', { workerId: 'silent', max: 1, stageTypes: ['orphan-type'], leaseMs: 5000 });
    const heartbeat = () => call(manager.url, 'POST', '/workers/silent/heartbeat', { leaseMs: 5000, tasks: [{ taskId: tasks[0]!.id, leaseToken: tasks[0]!.leaseToken }] });
    await until(async () => (await heartbeat(), firing('JobnikQueueStalled')), (a) => a.length === 0, 'stalled alert cleared');
    // Then the worker falls silent: its lease runs out and the sweeper takes the task back (next test).
  });

  it('fires JobnikLeasesLost once the sweeper takes back the silent worker’s lease', async () => {
    const [alert] = await untilFiring('JobnikLeasesLost');
    expect(Number(alert!.value)).toBeGreaterThan(0);
    const text = await (await fetch(manager.manager.metricsUrl + '/metrics')).text();
    expect(text).toMatch(/^jobnik_sweeper_recoveries_total\{outcome="retried"\} 1$/m);
  });

  it('fires JobnikRetentionBehind while a finished job waits past its retention longer than allowed', async () => {
    expect(await firing('JobnikRetentionBehind')).toEqual([]);
    const job = await call<{ id: string }>(manager.url, 'POST', '/jobs', { name: 'old', stages: [{ type: 'done-type', tasks: Array.from({ length: 200 }, () => ({})) }] });
    await call(manager.url, 'POST', `/jobs/${job.id}/cancel`);
    await manager.manager.db.query(`UPDATE jobs SET expires_at = now() - interval '1 hour' WHERE id = $1`, [job.id]);
    // Paced at 1 % and one task per statement, the sweep is at this job for many seconds (a retention that cannot
    // keep up); it is stopped once the alert fires.
    const sweep = manager.manager.retention.sweep();
    try {
      const [alert] = await untilFiring('JobnikRetentionBehind');
      expect(Number(alert!.value)).toBeGreaterThanOrEqual(3600);
      expect(alert!.annotations.description).toMatch(/^A finished job waits 1h 0m \d+s past its retention/);
    } finally {
      await manager.manager.retention.stop();
      await sweep;
    }
  });

  it('fires JobnikManagerDown when no replica is scraped', async () => {
    expect(await firing('JobnikManagerDown')).toEqual([]);
    await manager.close();
    const [alert] = await untilFiring('JobnikManagerDown');
    expect(alert!.labels).toMatchObject({ severity: 'critical', team: 'maps' });
  });
});

describe('JobnikManagerNotReady against a manager that is up but cannot work', () => {
  let manager: TestManager;
  let prometheus: Prometheus;
  const values = { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true, alerts: { managerNotReady: { enabled: true, for: '0s', severity: 'critical' } } } };
  const firing = () => prometheus.firing('JobnikManagerNotReady');

  beforeAll(async () => {
    const rule = one(render(MANAGER_CHART, { name: 'jobnik', namespace: 'jobs', values }), 'PrometheusRule');
    // Started on a database the migrations have not reached (as after a migration hook that did not run): it listens
    // and is scraped, but /health/ready answers 503.
    manager = await startTestManager({ store: 'pglite', config: { metrics: { listen: 'port', port: 0 }, database: { migrateOnStart: false } } });
    const target = new URL(manager.manager.metricsUrl!).host;
    prometheus = await Prometheus.start([{ name: 'jobnik-manager', targets: [target], labels: { namespace: 'jobs', service: rule.metadata.name } }], 1, rule.spec.groups);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await manager?.close().catch(() => undefined);
  });

  it('fires while the scraped replica is not ready, and clears once it is', async () => {
    const [alert] = await until(firing, (a) => a.length > 0, 'JobnikManagerNotReady firing');
    expect(alert!.labels).toMatchObject({ severity: 'critical' });
    expect(await prometheus.value('up{namespace="jobs"}')).toBe(1);
    expect((await fetch(`${manager.url}/health/ready`)).status).toBe(503);

    await migrate(manager.manager.db);
    await until(() => fetch(`${manager.url}/health/ready`).then((r) => r.status), (s) => s === 200, 'ready once migrated');
    await until(firing, (a) => a.length === 0, 'JobnikManagerNotReady cleared');
    expect(await prometheus.value('jobnik_ready{namespace="jobs"}')).toBe(1);
  });
});

describe('JobnikXminHorizonHeld against a manager on PostgreSQL', () => {
  let manager: TestManager;
  let prometheus: Prometheus;
  const values = {
    serviceMonitor: { enabled: true },
    prometheusRule: { enabled: true, alerts: { xminHorizonHeld: { enabled: true, seconds: 2, for: '0s', severity: 'warning' } } },
  };
  const firing = () => prometheus.firing('JobnikXminHorizonHeld');

  beforeAll(async () => {
    const rule = one(render(MANAGER_CHART, { name: 'jobnik', namespace: 'jobs', values }), 'PrometheusRule');
    manager = await startTestManager({ store: 'postgres', config: { metrics: { listen: 'port', port: 0 } } });
    const target = new URL(manager.manager.metricsUrl!).host;
    prometheus = await Prometheus.start([{ name: 'jobnik-manager', targets: [target], labels: { namespace: 'jobs', service: rule.metadata.name } }], 1, rule.spec.groups);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await manager?.close().catch(() => undefined);
  });

  it('fires while a transaction idles with its id held, and clears once it ends', async () => {
    const age = () => prometheus.value('jobnik_db_xmin_horizon_age_seconds{namespace="jobs"}');
    // Healthy: scraped, and nothing holds the horizon beyond the manager's own statements.
    expect(await until(age, (v) => v !== null, 'the horizon scraped')).toBeLessThan(2);
    expect(await firing()).toEqual([]);
    // A session of the manager's database that took a transaction id and then sits idle in its transaction (as a
    // forgotten psql session would), well within the pool's idle-in-transaction timeout (30 s).
    await manager.manager.db.transaction(async (tx) => {
      await tx.query('SELECT txid_current()');
      const [alert] = await until(firing, (a) => a.length > 0, 'JobnikXminHorizonHeld firing');
      expect(Number(alert!.value)).toBeGreaterThan(2);
      expect(alert!.labels).toMatchObject({ severity: 'warning' });
      expect(alert!.annotations.description).toMatch(/^Its oldest holder has held it for \d+(\.\d+)?s \(/);
      // Each write of the manager takes a transaction id; the held one falls behind them.
      await call(manager.url, 'POST', '/jobs', { name: 'meanwhile', stages: [{ type: 'held-horizon', tasks: [{}] }] });
      const text = await (await fetch(manager.manager.metricsUrl + '/metrics')).text();
      expect(Number(/^jobnik_db_xmin_horizon_age_transactions (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    });
    await until(firing, (a) => a.length === 0, 'JobnikXminHorizonHeld cleared');
    expect(await age()).toBeLessThan(2);
  });
});
