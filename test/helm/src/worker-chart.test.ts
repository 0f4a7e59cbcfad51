// templates/worker/helm rendered with its defaults and with every optional part on: valid objects that agree
// with the worker they deploy (env names, health routes, image user) and with the manager's queue-depth metric.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startTestManager } from '@jobnik/manager/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { selects, validateManifest } from './kube.js';
import { call } from './manager-api.js';
import { fieldErrorsWithTypo } from './strict-fields.js';
import { VALUES_DIR, WORKER_CHART } from './paths.js';
import { byKind, kinds, one, render, renderText, type Manifest } from './render.js';
import { configModule, dockerUser, envNames, source } from './sources.js';

const ALL_ON = join(VALUES_DIR, 'worker-all-on.yaml');
const chart = parse(readFileSync(join(WORKER_CHART, 'Chart.yaml'), 'utf8')) as { name: string; version: string; appVersion: string };
const workerPackage = JSON.parse(readFileSync(join(WORKER_CHART, '..', 'package.json'), 'utf8')) as { name: string };

let defaults: Manifest[];
let allOn: Manifest[];
let workerConfig: Awaited<ReturnType<typeof configModule>>;
beforeAll(async () => {
  defaults = render(WORKER_CHART, { name: 'tiles' });
  allOn = render(WORKER_CHART, { name: 'tiles', valuesFiles: [ALL_ON] });
  workerConfig = await configModule('templates/worker');
});

/** The /metrics text of a manager (embedded store) that has one queue. */
async function scrapeOfOneQueue(): Promise<string> {
  const m = await startTestManager({ store: 'pglite' });
  try {
    await call(m.url, 'POST', '/jobs', { name: 'scrape', stages: [{ type: 'tile-render', tasks: [{}] }] });
    return await (await fetch(`${m.url}/metrics`)).text();
  } finally {
    await m.close();
  }
}

/** The label sets and values of `metric`'s series in a scrape's text. */
function seriesOf(text: string, metric: string): { labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
    .map((line) => ({
      labels: Object.fromEntries([...(/^[^{ ]*\{([^}]*)\}/.exec(line)?.[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((g) => [g[1]!, g[2]!])),
      value: Number(line.slice(line.lastIndexOf(' ') + 1)),
    }));
}

const container = (m: Manifest) => m.spec.template.spec.containers[0];
const envOf = (m: Manifest) => new Map<string, any>(container(m).env.map((e: any) => [e.name, e]));
const envValues = (m: Manifest) => Object.fromEntries([...envOf(m)].filter(([, e]) => 'value' in e).map(([k, e]) => [k, e.value as string]));

type Matchers = Map<string, { op: string; value: string }>;

/**
 * The metrics and label matchers of the chart's query
 * `sum(max by (tenant, stage_type, status) (metric{a="x",b=~"y"})) or 0 * max(upMetric{a="x"} == 1)`, string
 * escapes decoded.
 */
function matchers(query: string): { metric: string; labels: Matchers; upMetric: string; upLabels: Matchers } {
  const m = /^sum\(max by \(tenant, stage_type, status\) \((\w+)\{(.*)\}\)\) or 0 \* max\((\w+)\{(.*)\} == 1\)$/.exec(query);
  if (!m) throw new Error(`unexpected query ${query}`);
  const parse = (text: string): Matchers => {
    const labels: Matchers = new Map();
    for (const part of text.matchAll(/(\w+)(=~|=)("(?:[^"\\]|\\.)*")/g)) labels.set(part[1]!, { op: part[2]!, value: JSON.parse(part[3]!) as string });
    return labels;
  };
  return { metric: m[1]!, labels: parse(m[2]!), upMetric: m[3]!, upLabels: parse(m[4]!) };
}

describe('worker chart', () => {
  it('is named after the worker package', () => {
    expect(chart.name).toBe('jobnik-worker');
    expect(workerPackage.name).toBe('@jobnik/worker-template');
    expect(parse(readFileSync(join(WORKER_CHART, 'values.yaml'), 'utf8')).image.repository).toBe(`jobnik/${chart.name}`);
  });

  it('renders a Deployment with a CPU HPA and a PDB by default; KEDA, Service, ServiceMonitor, PrometheusRule and ServiceAccount only when enabled', () => {
    expect(kinds(defaults)).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']);
    // KEDA owns the HPA when it is on, so the chart's own HPA steps aside.
    expect(kinds(allOn)).toEqual(['Deployment', 'PodDisruptionBudget', 'PrometheusRule', 'ScaledObject', 'Service', 'ServiceAccount', 'ServiceMonitor']);
    const fixed = render(WORKER_CHART, { values: { autoscaling: { enabled: false }, podDisruptionBudget: { enabled: false }, replicaCount: 4 } });
    expect(kinds(fixed)).toEqual(['Deployment']);
    expect(one(fixed, 'Deployment').spec.replicas).toBe(4);
    expect(one(defaults, 'Deployment').spec.replicas).toBeUndefined();
    expect(one(allOn, 'Deployment').spec.replicas).toBeUndefined();
  });

  it('renders only objects that satisfy their Kubernetes and CRD schemas', () => {
    for (const m of [...defaults, ...allOn]) validateManifest(m);
    const broken = structuredClone(one(allOn, 'ScaledObject'));
    broken.spec.triggers[0].metadata.threshold = 25;
    expect(() => validateManifest(broken)).toThrow(/threshold/);
  });

  it('uses no field the Kubernetes API types do not declare', () => {
    const errors = fieldErrorsWithTypo([...defaults, ...allOn]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Deployment typo .*readinesProbe/);
  });

  it('labels every object, and its selectors pick exactly its pods', () => {
    for (const m of [...defaults, ...allOn]) {
      expect(m.metadata.labels, `${m.kind}`).toMatchObject({
        'app.kubernetes.io/name': chart.name,
        'app.kubernetes.io/instance': 'tiles',
        'app.kubernetes.io/version': chart.appVersion,
        'app.kubernetes.io/component': 'worker',
        'app.kubernetes.io/managed-by': 'Helm',
        'helm.sh/chart': `${chart.name}-${chart.version}`,
      });
    }
    for (const objects of [defaults, allOn]) {
      const deployment = one(objects, 'Deployment');
      expect(selects(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(true);
      expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.metadata.labels ?? { missing: true });
    }
    const deployment = one(allOn, 'Deployment');
    const service = one(allOn, 'Service');
    expect(selects(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);
    expect(selects(one(allOn, 'ServiceMonitor').spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(deployment.spec.template.metadata.labels).toMatchObject({ tier: 'workers', team: 'maps' });
  });

  it('sets only env names the worker reads, accepted by its own config loader', () => {
    const names = envNames(workerConfig.configSchema);
    for (const objects of [defaults, allOn]) {
      const env = envOf(one(objects, 'Deployment'));
      const extra = objects === allOn ? ['TILE_WORK_MS'] : [];
      for (const key of env.keys()) expect(names.has(key), `${key} is not a worker setting`).toBe(true);
      expect(extra.every((k) => env.has(k))).toBe(true);
    }
    const config = workerConfig.loadConfig({}, envValues(one(allOn, 'Deployment')));
    expect(config.worker.stageTypes).toEqual(['tile-render', 'tiles.v2-upload']);
    expect(config.worker.concurrency).toBe(4);
    expect(config.worker.leaseMs).toBe(120_000);
    expect(config.manager.url).toBe('http://jobnik-manager.jobs.svc');
    expect(config.tile.workMs).toBe(100);
    const byDefault = workerConfig.loadConfig({}, envValues(one(defaults, 'Deployment')));
    expect(byDefault.worker.stageTypes).toEqual(workerConfig.loadConfig({}, {}).worker.stageTypes); // chart and code agree
  });

  it('takes the API key from the named Secret, and sends none without one', () => {
    expect(envOf(one(allOn, 'Deployment')).get('JOBNIK_API_KEY')).toEqual({
      name: 'JOBNIK_API_KEY',
      valueFrom: { secretKeyRef: { name: 'tiles-worker-key', key: 'api-key' } },
    });
    expect(envOf(one(defaults, 'Deployment')).has('JOBNIK_API_KEY')).toBe(false);
    expect(workerConfig.configSchema.manager!.apiKey!.env).toBe('JOBNIK_API_KEY');
    expect(workerConfig.configSchema.manager!.apiKey!.sensitive).toBe(true);
  });

  it('probes the health server routes on the port the worker listens on', () => {
    const server = source('templates/worker/src/health-server.ts');
    for (const objects of [defaults, allOn]) {
      const deployment = one(objects, 'Deployment');
      const c = container(deployment);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'health' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'health' });
      for (const probe of [c.livenessProbe, c.readinessProbe]) expect(server).toContain(`case '${probe.httpGet.path}':`);
      const port = c.ports.find((p: any) => p.name === 'health');
      expect(String(port.containerPort)).toBe(envValues(deployment).WORKER_HEALTH_PORT);
    }
    const port = render(WORKER_CHART, { values: { healthPort: 9100 } });
    expect(container(one(port, 'Deployment')).ports[0].containerPort).toBe(9100);
    expect(envValues(one(port, 'Deployment')).WORKER_HEALTH_PORT).toBe('9100');
  });

  it('scales with KEDA on the manager queue-depth gauge of exactly its stage types', async () => {
    const scaled = one(allOn, 'ScaledObject');
    const deployment = one(allOn, 'Deployment');
    expect(scaled.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(scaled.spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 30 });
    const [trigger] = scaled.spec.triggers;
    expect(trigger.type).toBe('prometheus');
    expect(trigger.metricType).toBe('AverageValue'); // KEDA's fallback needs it
    expect(trigger.metadata.serverAddress).toBe('http://prometheus.monitoring.svc:9090');
    expect(trigger.metadata.threshold).toBe('25');

    // The metric, its labels and the statuses queried are the ones a manager's scrape carries.
    const { metric, labels, upMetric, upLabels } = matchers(trigger.metadata.query);
    expect(metric).toBe('jobnik_queue_depth');
    const scrape = await scrapeOfOneQueue();
    const series = seriesOf(scrape, metric).map((s) => s.labels);
    expect(series.length, `${metric} in a manager's scrape`).toBeGreaterThan(0);
    // namespace and service are not the manager's: Prometheus puts them on every series of a scrape target.
    for (const label of labels.keys()) if (label !== 'namespace' && label !== 'service') expect(Object.keys(series[0]!), label).toContain(label);
    for (const status of ['ready', 'in_progress']) expect(series.map((l) => l.status), status).toContain(status);
    // The depth read 0 when no series is left (idle queues out of the scrape) hangs on a series the scrape carries,
    // read as 1, scoped to the install alone (not to the stage types, whose series are the ones that may be gone).
    expect(seriesOf(scrape, upMetric)).toEqual([{ labels: {}, value: 1 }]);
    expect([...upLabels.keys()]).toEqual(['namespace', 'service']);

    // The stage_type regex (anchored, as PromQL anchors it) matches the worker's queues and nothing else.
    const stageType = labels.get('stage_type')!;
    expect(stageType.op).toBe('=~');
    const re = new RegExp(`^(?:${stageType.value})$`);
    for (const t of ['tile-render', 'tiles.v2-upload']) expect(re.test(t), t).toBe(true);
    for (const t of ['tiles-v2-upload', 'tilesXv2-upload', 'tile-index', 'tile-render-2']) expect(re.test(t), t).toBe(false);
    expect(labels.get('status')).toEqual({ op: '=~', value: 'ready|in_progress' });
    expect(labels.get('tenant')).toEqual({ op: '=', value: 'maps' });
    // Scoped to this install's manager: the labels the Prometheus Operator gives its ServiceMonitor's series.
    expect(labels.get('namespace')).toEqual({ op: '=', value: 'jobs' });
    expect(labels.get('service')).toEqual({ op: '=', value: 'jobnik-manager' });

    const noTenant = one(render(WORKER_CHART, { values: { keda: { enabled: true } } }), 'ScaledObject');
    expect(matchers(noTenant.spec.triggers[0].metadata.query).labels.has('tenant')).toBe(false);
    expect(matchers(noTenant.spec.triggers[0].metadata.query).labels.get('stage_type')!.value).toBe('tile-render|tile-upload|tile-index');
  });

  it('waits out the drain on SIGTERM and runs as the image user', () => {
    for (const [objects, graceMs] of [[defaults, 20_000], [allOn, 45_000]] as const) {
      const spec = one(objects, 'Deployment').spec.template.spec;
      expect(spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(graceMs);
      expect(envValues(one(objects, 'Deployment')).WORKER_SHUTDOWN_GRACE_MS).toBe(String(graceMs));
      const user = dockerUser('templates/worker/Dockerfile');
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: user.uid, runAsGroup: user.gid });
      expect(spec.automountServiceAccountToken).toBe(false);
    }
    expect(one(allOn, 'Deployment').spec.template.spec.serviceAccountName).toBe('tiles-worker');
  });

  it('prints install notes for the key Secret and the scaling in use', () => {
    const notes = renderText(WORKER_CHART, { name: 'tiles', notes: true });
    expect(notes).toContain('takes tasks of tile-render, tile-upload, tile-index from http://jobnik-manager');
    expect(notes).toContain('No API key is configured');
    expect(notes).toContain('The HPA scales it between 1 and 10 replicas on CPU');
    const keda = renderText(WORKER_CHART, { name: 'tiles', notes: true, valuesFiles: [ALL_ON] });
    expect(keda).toContain('create secret generic tiles-worker-key --from-literal=api-key=');
    expect(keda).toContain(one(allOn, 'ScaledObject').spec.triggers[0].metadata.query);
    expect(keda).not.toContain('The HPA');
    expect(keda).not.toContain('WARNING');
    // Rules without the scrape they read would never fire: the notes say so.
    const blind = renderText(WORKER_CHART, { name: 'tiles', namespace: 'jobs', notes: true, values: { prometheusRule: { enabled: true } } });
    expect(blind).toContain('WARNING: prometheusRule is on but serviceMonitor is off');
    expect(blind).toContain('namespace="jobs" and service="tiles-jobnik-worker"');
  });

  it('refuses a worker without a manager URL', () => {
    expect(() => render(WORKER_CHART, { values: { manager: { url: '' } } })).toThrow(/manager\.url/);
    expect(byKind(render(WORKER_CHART, { values: { serviceMonitor: { enabled: true } } }), 'Service')).toHaveLength(1);
  });
});
