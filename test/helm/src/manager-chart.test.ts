// helm/jobnik-manager rendered with its defaults and with every optional part on: valid Kubernetes objects
// that agree with the manager they deploy (env names, routes, image user) and with each other (labels, selectors).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { selects, validateManifest } from './kube.js';
import { fieldErrorsWithTypo } from './strict-fields.js';
import { MANAGER_CHART, VALUES_DIR } from './paths.js';
import { byKind, kinds, one, render, renderText, type Manifest } from './render.js';
import { configModule, dockerUser, envNames, source } from './sources.js';

const ALL_ON = join(VALUES_DIR, 'manager-all-on.yaml');
const chart = parse(readFileSync(join(MANAGER_CHART, 'Chart.yaml'), 'utf8')) as { name: string; version: string; appVersion: string };
const SENSITIVE = ['DATABASE_URL', 'JOBNIK_ADMIN_API_KEY', 'JOBNIK_WEBHOOK_SECRET'];

let defaults: Manifest[];
let allOn: Manifest[];
let managerConfig: Awaited<ReturnType<typeof configModule>>;
beforeAll(async () => {
  defaults = render(MANAGER_CHART);
  allOn = render(MANAGER_CHART, { valuesFiles: [ALL_ON] });
  managerConfig = await configModule('apps/manager');
});

const podSpec = (m: Manifest) => m.spec.template.spec;
const container = (m: Manifest) => podSpec(m).containers[0];
const envOf = (m: Manifest) => new Map<string, any>(container(m).env.map((e: any) => [e.name, e]));

describe('jobnik-manager chart', () => {
  it('renders the core objects by default and the optional ones only when enabled', () => {
    expect(kinds(defaults)).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Job', 'PodDisruptionBudget', 'Service']);
    expect(kinds(allOn)).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'Job', 'PodDisruptionBudget', 'PrometheusRule', 'Service', 'ServiceMonitor']);
    const bare = render(MANAGER_CHART, { values: { autoscaling: { enabled: false }, podDisruptionBudget: { enabled: false }, migration: { enabled: false } } });
    expect(kinds(bare)).toEqual(['ConfigMap', 'Deployment', 'Service']);
  });

  it('renders only objects that satisfy their Kubernetes (and CRD) schemas', () => {
    for (const m of [...defaults, ...allOn]) validateManifest(m);
    // The check can fail: a wrong type is caught.
    const broken = structuredClone(one(defaults, 'Deployment'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(() => validateManifest(broken)).toThrow(/containerPort/);
  });

  it('uses no field the Kubernetes API types do not declare', () => {
    const errors = fieldErrorsWithTypo([...defaults, ...allOn]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Deployment typo .*readinesProbe/);
  });

  it('puts the standard labels on every object and its pods', () => {
    for (const m of [...defaults, ...allOn]) {
      const labels = m.metadata.labels ?? {};
      expect(labels, `${m.kind} ${m.source}`).toMatchObject({
        'app.kubernetes.io/name': chart.name,
        'app.kubernetes.io/instance': 'jobnik',
        'app.kubernetes.io/version': chart.appVersion,
        'app.kubernetes.io/managed-by': 'Helm',
        'helm.sh/chart': `${chart.name}-${chart.version}`,
      });
      expect(['server', 'migration']).toContain(labels['app.kubernetes.io/component']);
      expect(m.metadata.namespace).toBe('jobs');
      if (m.spec?.template?.metadata) expect(m.spec.template.metadata.labels).toMatchObject(selectorOf(m, labels));
    }
    expect(one(allOn, 'Deployment').metadata.labels).toMatchObject({ team: 'platform' });
    expect(one(allOn, 'Deployment').spec.template.metadata.labels).toMatchObject({ tier: 'backend', team: 'platform' });
  });

  it('wires selectors: Deployment → its pods, Service/PDB/ServiceMonitor → the server pods, never the migration pods', () => {
    for (const objects of [defaults, allOn]) {
      const deployment = one(objects, 'Deployment');
      const podLabels = deployment.spec.template.metadata.labels;
      const migrationPodLabels = one(objects, 'Job').spec.template.metadata.labels;
      expect(selects(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
      expect(selects(one(objects, 'Service').spec.selector, podLabels)).toBe(true);
      expect(selects(one(objects, 'Service').spec.selector, migrationPodLabels)).toBe(false);
      expect(selects(deployment.spec.selector.matchLabels, migrationPodLabels)).toBe(false);
      expect(selects(one(objects, 'PodDisruptionBudget').spec.selector.matchLabels, podLabels)).toBe(true);
      const hpa = one(objects, 'HorizontalPodAutoscaler');
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    }
    const service = one(allOn, 'Service');
    const monitor = one(allOn, 'ServiceMonitor');
    expect(selects(monitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s', scrapeTimeout: '10s' }]);
    expect(service.spec.ports.map((p: any) => p.name)).toEqual(['http', 'metrics']);
    expect(monitor.metadata.labels).toMatchObject({ release: 'prometheus' });
    const ingress = one(allOn, 'Ingress');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: service.metadata.name, port: { name: 'http' } });
    expect(ingress.spec.ingressClassName).toBe('nginx');
  });

  it('reads the connection string and keys from the named Secret, never from the ConfigMap', () => {
    const names = envNames(managerConfig.configSchema);
    for (const key of SENSITIVE) expect(names.get(key), key).toBe(true); // the manager itself marks them sensitive
    for (const [objects, secret, keys] of [
      [defaults, 'jobnik-manager', { DATABASE_URL: 'database-url', JOBNIK_ADMIN_API_KEY: 'admin-api-key' }],
      [allOn, 'jobnik-prod', { DATABASE_URL: 'pg-url', JOBNIK_ADMIN_API_KEY: 'admin-key', JOBNIK_WEBHOOK_SECRET: 'webhook-secret' }],
    ] as const) {
      const configMap = one(objects, 'ConfigMap');
      for (const key of SENSITIVE) expect(configMap.data, key).not.toHaveProperty(key);
      const env = envOf(one(objects, 'Deployment'));
      for (const key of SENSITIVE) {
        const expected = (keys as Record<string, string>)[key];
        if (expected) expect(env.get(key), key).toEqual({ name: key, valueFrom: { secretKeyRef: { name: secret, key: expected } } });
        else expect(env.has(key), key).toBe(false);
      }
      expect(objects.map((m) => m.kind)).not.toContain('Secret');
    }
  });

  it('fills the ConfigMap with env names the manager reads, accepted by its own config loader', () => {
    const names = envNames(managerConfig.configSchema);
    for (const objects of [defaults, allOn]) {
      const data: Record<string, string> = one(objects, 'ConfigMap').data;
      for (const key of Object.keys(data)) expect(names.has(key), `${key} is not a manager setting`).toBe(true);
      // Every value is a string Kubernetes accepts, and the manager's strict loader takes the whole environment.
      for (const value of Object.values(data)) expect(typeof value).toBe('string');
      const config = managerConfig.loadConfig({}, { ...data, DATABASE_URL: 'postgres://u@db/jobnik', JOBNIK_ADMIN_API_KEY: 'k' });
      expect(config.auth.mode).toBe('apiKey');
      expect(config.http.bodyLimitBytes).toBe(33554432);
      expect(config.database.migrateOnStart).toBe(false);
      expect(config.http.port).toBe(container(one(objects, 'Deployment')).ports[0].containerPort);
    }
    const tuned = managerConfig.loadConfig({}, one(allOn, 'ConfigMap').data);
    expect(tuned.tasks.backoffJitter).toBe(0.35);
    expect(tuned.retention.days).toBe(1.5);
    expect(tuned.shutdown.graceMs).toBe(25000);
    expect(tuned.flow.groups).toEqual({
      compute: { maxInFlight: 1, stageTypes: ['tile-render'] },
      maintenance: { maxInFlight: 5, stageTypes: ['reindex', 'vacuum-layer'] },
      download: { maxInFlight: 10, stageTypes: ['fetch-tiles', 'fetch-dem'] },
    });
    expect(tuned.flow.rateLimits).toEqual([{ stageType: 'fetch-tiles', limit: 50, periodMs: 1000 }]);
  });

  it('probes the manager health routes on its HTTP port', () => {
    const routes = source('apps/manager/src/routes/system.ts');
    for (const objects of [defaults, allOn]) {
      const c = container(one(objects, 'Deployment'));
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      for (const probe of [c.livenessProbe, c.readinessProbe]) {
        expect(routes).toContain(`app.get('${probe.httpGet.path}'`);
        expect(c.ports.map((p: any) => p.name)).toContain(probe.httpGet.port);
      }
      expect(c.args).toEqual(['serve']);
      expect(c.envFrom[0]).toEqual({ configMapRef: { name: one(objects, 'ConfigMap').metadata.name } });
    }
  });

  it('migrates in a pre-install/pre-upgrade hook Job that needs nothing the release creates', () => {
    const job = one(defaults, 'Job');
    expect(job.metadata.annotations).toMatchObject({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    const c = container(job);
    expect(c.args).toEqual(['migrate']);
    expect(c.image).toBe(container(one(defaults, 'Deployment')).image);
    expect(c.envFrom).toBeUndefined(); // the ConfigMap does not exist yet when a pre-install hook runs
    expect(envOf(job).get('DATABASE_URL')).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'jobnik-manager', key: 'database-url' } } });
    expect(envOf(job).has('JOBNIK_ADMIN_API_KEY')).toBe(false);
    expect(podSpec(job).restartPolicy).toBe('Never');
    expect(podSpec(job).serviceAccountName).toBeUndefined();
    expect(podSpec(one(allOn, 'Job')).serviceAccountName).toBe('jobnik-manager');
    // Without the hook, the pods migrate at start instead.
    const noHook = render(MANAGER_CHART, { values: { migration: { enabled: false } } });
    expect(byKind(noHook, 'Job')).toEqual([]);
    expect(one(noHook, 'ConfigMap').data.JOBNIK_MIGRATE_ON_START).toBe('true');
  });

  it('waits for PostgreSQL at start, in the pods and the hook, ending the wait before the startup probe would', () => {
    const deployment = container(one(defaults, 'Deployment'));
    const { startupWaitMs, connectTimeoutMs } = managerConfig.loadConfig({}, one(defaults, 'ConfigMap').data).database;
    expect(startupWaitMs).toBeGreaterThan(0);
    expect(connectTimeoutMs).toBeGreaterThan(0);
    const hookEnv = envOf(one(defaults, 'Job'));
    expect(hookEnv.get('JOBNIK_DB_STARTUP_WAIT_MS')).toEqual({ name: 'JOBNIK_DB_STARTUP_WAIT_MS', value: String(startupWaitMs) });
    expect(hookEnv.get('JOBNIK_DB_CONNECT_TIMEOUT_MS')).toEqual({ name: 'JOBNIK_DB_CONNECT_TIMEOUT_MS', value: String(connectTimeoutMs) });
    // The manager does not listen while it waits, and its last try may take a connect timeout: the probe's budget must
    // outlast both, so the pod exits with the manager's reason in its log rather than being killed mid-wait.
    const probe = deployment.startupProbe;
    expect((probe.initialDelaySeconds ?? 0) + probe.periodSeconds * probe.failureThreshold).toBeGreaterThan((startupWaitMs + connectTimeoutMs) / 1000);
  });

  it('leaves replicas to the HPA when autoscaling, and sets them otherwise', () => {
    expect(one(defaults, 'Deployment').spec.replicas).toBeUndefined();
    expect(one(render(MANAGER_CHART, { values: { autoscaling: { enabled: false }, replicaCount: 3 } }), 'Deployment').spec.replicas).toBe(3);
    const hpa = one(allOn, 'HorizontalPodAutoscaler').spec;
    expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([3, 12]);
    expect(hpa.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([['cpu', 60], ['memory', 75]]);
    expect(one(defaults, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1 });
    expect(one(allOn, 'PodDisruptionBudget').spec).toMatchObject({ minAvailable: 2 });
    expect(one(allOn, 'PodDisruptionBudget').spec.maxUnavailable).toBeUndefined();
  });

  it('gives in-flight requests their shutdown grace, runs as the image user, rolls pods on config changes', () => {
    for (const [objects, graceMs] of [[defaults, 10_000], [allOn, 25_000]] as const) {
      const spec = podSpec(one(objects, 'Deployment'));
      // The preStop pause (endpoints drain) comes first, then the manager's own grace, inside Kubernetes' limit.
      expect(container(one(objects, 'Deployment')).lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
      expect(spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(graceMs + 5_000);
      const user = dockerUser('apps/manager/Dockerfile');
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: user.uid, runAsGroup: user.gid });
      expect(container(one(objects, 'Deployment')).securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(spec.automountServiceAccountToken).toBe(false);
    }
    const noPause = one(render(MANAGER_CHART, { values: { preStopSleepSeconds: 0 } }), 'Deployment');
    expect(container(noPause).lifecycle).toBeUndefined();
    expect(podSpec(noPause).terminationGracePeriodSeconds).toBe(15);
    const checksum = (m: Manifest[]) => one(m, 'Deployment').spec.template.metadata.annotations['checksum/config'];
    expect(checksum(defaults)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(render(MANAGER_CHART, { values: { config: { log: { level: 'debug' } } } }))).not.toBe(checksum(defaults));
    expect(checksum(render(MANAGER_CHART, { values: { replicaCount: 5 } }))).toBe(checksum(defaults));
  });

  it('names the image after appVersion unless a tag is given', () => {
    expect(container(one(defaults, 'Deployment')).image).toBe(`jobnik/manager:${chart.appVersion}`);
    expect(container(one(render(MANAGER_CHART, { values: { image: { tag: '1.2.3' } } }), 'Deployment')).image).toBe('jobnik/manager:1.2.3');
  });

  it('refuses values it cannot deploy, with a message naming the value', () => {
    expect(() => render(MANAGER_CHART, { values: { secret: { name: '' } } })).toThrow(/secret\.name/);
    expect(() => render(MANAGER_CHART, { values: { secret: { databaseUrlKey: '' } } })).toThrow(/secret\.databaseUrlKey/);
    expect(() => render(MANAGER_CHART, { values: { podDisruptionBudget: { minAvailable: 1 } } })).toThrow(/not both/);
  });

  it('prints install notes naming the Service, the Secret and its keys', () => {
    const notes = renderText(MANAGER_CHART, { notes: true });
    expect(notes).toContain('svc/jobnik-jobnik-manager 8080:80');
    expect(notes).toContain('create secret generic jobnik-manager');
    expect(notes).toContain('--from-literal=database-url=');
    expect(notes).toContain('http://jobnik-jobnik-manager.jobs.svc\n');
    expect(notes).not.toContain('WARNING');
    const open = renderText(MANAGER_CHART, { notes: true, values: { config: { auth: { mode: 'none' } }, service: { port: 8080 } } });
    expect(open).toContain('WARNING: auth.mode is "none"');
    expect(open).toContain('http://jobnik-jobnik-manager.jobs.svc:8080');
    expect(renderText(MANAGER_CHART, { notes: true, valuesFiles: [ALL_ON] })).toContain('https://jobnik.internal.example/');
    // Rules without the scrape they read would never fire: the notes say so.
    const blind = renderText(MANAGER_CHART, { notes: true, values: { prometheusRule: { enabled: true } } });
    expect(blind).toContain('WARNING: prometheusRule is on but serviceMonitor is off');
    expect(blind).toContain('namespace="jobs" and service="jobnik-jobnik-manager"');
    expect(renderText(MANAGER_CHART, { notes: true, values: { prometheusRule: { enabled: true }, serviceMonitor: { enabled: true } } })).not.toContain('WARNING');
  });

  it('names objects <release>-<chart>, or the release alone when it contains the chart name', () => {
    expect(one(defaults, 'Deployment').metadata.name).toBe('jobnik-jobnik-manager');
    expect(one(render(MANAGER_CHART, { name: 'jobnik-manager' }), 'Deployment').metadata.name).toBe('jobnik-manager');
    expect(one(render(MANAGER_CHART, { values: { fullnameOverride: 'jm' } }), 'Job').metadata.name).toBe('jm-migrate');
  });
});

function selectorOf(m: Manifest, labels: Record<string, string>): Record<string, string> {
  return m.spec?.selector?.matchLabels ?? {
    'app.kubernetes.io/name': labels['app.kubernetes.io/name']!,
    'app.kubernetes.io/instance': labels['app.kubernetes.io/instance']!,
    'app.kubernetes.io/component': labels['app.kubernetes.io/component']!,
  };
}
