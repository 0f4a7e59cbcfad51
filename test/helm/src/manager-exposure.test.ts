// What the manager chart exposes: /metrics on a port of its own by default (scraped in the cluster, never routed
// by the Ingress), optionally on the API port behind a key; an Ingress that routes the API's paths only, unless
// the docs or the dashboard are asked for.
import { describe, expect, it } from 'vitest';
import { validateManifest } from './kube.js';
import { MANAGER_CHART } from './paths.js';
import { byKind, one, render, type Manifest } from './render.js';
import { configModule, source } from './sources.js';

const container = (objects: Manifest[]) => one(objects, 'Deployment').spec.template.spec.containers[0];
const ingressPaths = (objects: Manifest[]) => one(objects, 'Ingress').spec.rules[0].http.paths.map((p: any) => `${p.pathType} ${p.path}`);

/** The first path segment of every route in the contracts' route table: what the API serves. */
function apiPrefixes(): string[] {
  // Every route table of the contracts: ours, the flow-control routes spread into it, and MapColonies' /v1 API.
  const tables = ['routes.ts', 'flow.ts', 'v1.ts'].map((f) => source(`packages/contracts/src/${f}`)).join('\n');
  const paths = [...tables.matchAll(/path: '(\/[^'/]+)/g)].map((m) => m[1]!);
  return [...new Set(paths)].sort();
}

describe('jobnik-manager chart: metrics exposure', () => {
  it('serves /metrics on its own port by default: container, Service and ServiceMonitor agree with the manager', async () => {
    const objects = render(MANAGER_CHART, { values: { serviceMonitor: { enabled: true } } });
    const { loadConfig } = await configModule('apps/manager');
    const config = loadConfig({}, { ...one(objects, 'ConfigMap').data, DATABASE_URL: 'postgres://u@db/jobnik' });
    expect(config.metrics).toEqual({ listen: 'port', port: 9464, requireKey: false, idleQueues: true });
    expect(container(objects).ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: config.metrics.port, protocol: 'TCP' },
    ]);
    expect(one(objects, 'Service').spec.ports.find((p: any) => p.name === 'metrics')).toEqual({ name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' });
    expect(one(objects, 'ServiceMonitor').spec.endpoints[0]).toMatchObject({ port: 'metrics', path: '/metrics' });
    // Idle queues left out of the scrape when asked.
    const lean = one(render(MANAGER_CHART, { values: { metrics: { idleQueues: false } } }), 'ConfigMap').data;
    expect(loadConfig({}, { ...lean, DATABASE_URL: 'postgres://u@db/jobnik' }).metrics.idleQueues).toBe(false);
  });

  it('can serve it on the API port behind a key, which the ServiceMonitor then sends', async () => {
    const objects = render(MANAGER_CHART, {
      values: { metrics: { separatePort: false, requireKey: true }, serviceMonitor: { enabled: true, bearerTokenSecret: { name: 'scraper-key', key: 'api-key' } } },
    });
    for (const m of objects) validateManifest(m);
    const { loadConfig } = await configModule('apps/manager');
    expect(loadConfig({}, one(objects, 'ConfigMap').data).metrics).toMatchObject({ listen: 'api', requireKey: true });
    expect(container(objects).ports.map((p: any) => p.name)).toEqual(['http']);
    expect(one(objects, 'Service').spec.ports.map((p: any) => p.name)).toEqual(['http']);
    expect(one(objects, 'ServiceMonitor').spec.endpoints[0]).toEqual({
      port: 'http',
      path: '/metrics',
      interval: '30s',
      scrapeTimeout: '10s',
      authorization: { type: 'Bearer', credentials: { name: 'scraper-key', key: 'api-key' } },
    });
  });

  it('refuses metrics settings that cannot work', () => {
    expect(() => render(MANAGER_CHART, { values: { metrics: { port: 8080 } } })).toThrow('metrics.port (8080) must differ from containerPort');
    expect(() => render(MANAGER_CHART, { values: { metrics: { requireKey: true } } })).toThrow(/metrics\.requireKey applies to \/metrics on the API port/);
  });
});

describe('jobnik-manager chart: Ingress', () => {
  it('routes exactly the API path prefixes by default: no /metrics, /docs, /openapi.json, /ui or /health', () => {
    const objects = render(MANAGER_CHART, { values: { ingress: { enabled: true } } });
    for (const m of objects) validateManifest(m);
    const paths = ingressPaths(objects);
    expect(paths.map((p: string) => p.split(' ')[1]).sort()).toEqual(apiPrefixes());
    for (const p of paths) expect(p).toMatch(/^Prefix \/[a-z0-9-]+$/);
    for (const hidden of ['/metrics', '/docs', '/openapi.json', '/ui', '/health', '/healthz', '/readyz']) expect(paths).not.toContain(`Prefix ${hidden}`);
    expect(one(objects, 'Ingress').spec.rules[0].http.paths[0].backend.service.port).toEqual({ name: 'http' });
  });

  it('adds the docs and the dashboard only when asked, and takes explicit paths per host as given', () => {
    const open = ingressPaths(render(MANAGER_CHART, { values: { ingress: { enabled: true, exposeDocs: true, exposeDashboard: true } } }));
    expect(open.slice(-3)).toEqual(['Exact /docs', 'Exact /openapi.json', 'Prefix /ui']);
    const explicit = render(MANAGER_CHART, {
      values: { ingress: { enabled: true, hosts: [{ host: 'a.example' }, { host: 'b.example', paths: [{ path: '/jobs', pathType: 'Prefix' }] }] } },
    });
    const rules = one(explicit, 'Ingress').spec.rules;
    expect(rules[0].http.paths).toHaveLength(apiPrefixes().length);
    expect(rules[1].http.paths.map((p: any) => p.path)).toEqual(['/jobs']);
    expect(byKind(render(MANAGER_CHART), 'Ingress')).toEqual([]);
  });
});
