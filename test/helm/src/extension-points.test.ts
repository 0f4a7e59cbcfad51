// Both charts as dependencies of a platform team's umbrella chart (values/umbrella.yaml: `global`, `enabled`,
// extra volumes, sidecars, init containers, env sources, a priority class, a digest-pinned image, PDB): the
// values pass each chart's schema, the objects are valid Kubernetes, and every extension lands where it should.
// Also the cross-field rules JSON Schema cannot express.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateManifest } from './kube.js';
import { MANAGER_CHART, VALUES_DIR, WORKER_CHART } from './paths.js';
import { one, render, type Manifest } from './render.js';
import { fieldErrors } from './strict-fields.js';
import { dependencyValues, readYaml, validator, type Values } from './values.js';

const umbrella = readYaml(join(VALUES_DIR, 'umbrella.yaml'));
const podSpec = (objects: Manifest[]) => one(objects, 'Deployment').spec.template.spec;

describe.each([
  // The worker chart is the template's; in the umbrella it plays the scaffolded worker "ortho".
  ['jobnik-manager', MANAGER_CHART, 'jobnik-manager', 'manager', 'registry.platform.example:5000/jobnik/manager@sha256:0d3f7a2e5b9c1d4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a2b3c4d5e6f7a8b9c0d1e'],
  ['jobnik-worker', WORKER_CHART, 'ortho', 'worker', 'registry.platform.example:5000/maps/ortho:1.4.2'],
] as const)('%s as a dependency of an umbrella chart', (_chart, chartDir, section, container, image) => {
  const values = dependencyValues(umbrella, section);
  const objects = render(chartDir, { name: 'platform', namespace: 'platform', values });
  const own = umbrella[section] as Values;

  it('accepts `global` (with keys it does not use) and `enabled` in its strict schema', () => {
    expect(validator(chartDir)(values).errors).toEqual([]);
    expect(validator(chartDir)({ ...values, enabled: 'yes' }).ok).toBe(false);
    expect(validator(chartDir)({ ...values, unknownKey: 1 }).ok).toBe(false); // still strict everywhere else
  });

  it('renders valid objects with no field the API types do not declare', () => {
    for (const m of objects) validateManifest(m);
    expect(fieldErrors(objects)).toEqual([]);
  });

  it('prefixes the image with global.imageRegistry and adds global.imagePullSecrets', () => {
    const spec = podSpec(objects);
    expect(spec.containers[0].name).toBe(container);
    expect(spec.containers[0].image).toBe(image);
    expect(spec.imagePullSecrets).toEqual([{ name: 'platform-pull' }]);
  });

  it('adds the extra volumes, their mounts, sidecars and init containers, and bounds /tmp', () => {
    const spec = podSpec(objects);
    const main = spec.containers[0];
    expect(spec.containers.slice(1)).toEqual(own.sidecars);
    expect(spec.volumes.slice(1)).toEqual(own.extraVolumes);
    expect(main.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, ...(own.extraVolumeMounts as unknown[])]);
    expect(spec.volumes[0]).toEqual({ name: 'tmp', emptyDir: { sizeLimit: (own.tmp as Values | undefined)?.sizeLimit ?? expect.stringMatching(/^\d+[MG]i$/) } });
    if (own.initContainers) expect(spec.initContainers).toEqual(own.initContainers);
    else expect(spec.initContainers).toBeUndefined();
    // Every mount names a volume of the pod.
    const volumes = new Set(spec.volumes.map((v: { name: string }) => v.name));
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) for (const m of c.volumeMounts ?? []) expect(volumes.has(m.name), `${c.name} mounts ${m.name}`).toBe(true);
  });

  it('keeps its rollout explicit and its PDB selecting its pods', () => {
    const deployment = one(objects, 'Deployment');
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    const pdb = one(objects, 'PodDisruptionBudget');
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    const budget = own.podDisruptionBudget as Values;
    expect(pdb.spec.minAvailable ?? pdb.spec.maxUnavailable).toBe(budget.minAvailable ?? budget.maxUnavailable);
    expect(deployment.spec.template.spec.containers[0].startupProbe.httpGet.path).toBe('/health/live');
  });
});

describe('extension points beyond the umbrella', () => {
  it('manager: priority class and env sources', () => {
    const objects = render(MANAGER_CHART, { name: 'platform', namespace: 'platform', values: dependencyValues(umbrella, 'jobnik-manager') });
    const spec = podSpec(objects);
    expect(spec.priorityClassName).toBe('platform-critical');
    expect(spec.containers[0].envFrom).toEqual([{ configMapRef: { name: 'platform-jobnik-manager' } }, { secretRef: { name: 'jobnik-otel' } }]);
    // The migration Job shares the pod settings that matter for scheduling and pulling.
    const job = one(objects, 'Job').spec.template.spec;
    expect(job.priorityClassName).toBe('platform-critical');
    expect(job.imagePullSecrets).toEqual([{ name: 'platform-pull' }]);
    expect(job.containers[0].image).toBe(spec.containers[0].image);
  });

  it('worker: a created ServiceAccount the pods use, env sources, a priority class, a digest', () => {
    const objects = render(WORKER_CHART, { name: 'tiles', valuesFiles: [join(VALUES_DIR, 'worker-all-on.yaml')] });
    const account = one(objects, 'ServiceAccount');
    expect(account.metadata.name).toBe('tiles-worker');
    expect(account.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/tiles-worker' });
    expect(account.automountServiceAccountToken).toBe(false);
    const spec = podSpec(objects);
    expect(spec.serviceAccountName).toBe('tiles-worker');
    expect(spec.priorityClassName).toBe('batch-high');
    expect(spec.containers[0].envFrom).toEqual([{ configMapRef: { name: 'tiles-settings' } }, { secretRef: { name: 'tiles-storage-credentials' } }]);
    expect(spec.containers[0].image).toBe('registry.example/maps/tiles-worker@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945');
    expect(spec.containers[0].startupProbe).toMatchObject({ periodSeconds: 5, failureThreshold: 60 });
    // Created without a name: named after the release; an existing account is used, not created.
    expect(one(render(WORKER_CHART, { name: 'tiles', values: { serviceAccount: { create: true } } }), 'ServiceAccount').metadata.name).toBe('tiles-jobnik-worker');
    const existing = render(WORKER_CHART, { name: 'tiles', values: { serviceAccount: { name: 'shared' } } });
    expect(existing.some((m) => m.kind === 'ServiceAccount')).toBe(false);
    expect(podSpec(existing).serviceAccountName).toBe('shared');
    expect(validator(WORKER_CHART)({ image: { digest: 'latest' } }).ok).toBe(false);
  });
});

describe('cross-field rules', () => {
  it.each([
    ['jobnik-manager', MANAGER_CHART],
    ['jobnik-worker', WORKER_CHART],
  ])('%s: autoscaling.minReplicas above maxReplicas fails the render, naming both', (_name, chartDir) => {
    // JSON Schema cannot compare two values: the schema accepts these, the templates refuse them.
    expect(validator(chartDir)({ autoscaling: { minReplicas: 5, maxReplicas: 3 } }).ok).toBe(true);
    expect(() => render(chartDir, { values: { autoscaling: { minReplicas: 5, maxReplicas: 3 } } })).toThrow(
      'autoscaling.minReplicas (5) must not be greater than autoscaling.maxReplicas (3)',
    );
    expect(() => render(chartDir, { values: { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 3 } } })).not.toThrow();
    expect(() => render(chartDir, { values: { podDisruptionBudget: { minAvailable: 1 } } })).toThrow(/not both/);
  });

  it('jobnik-worker: the HPA bounds do not matter while KEDA scales', () => {
    expect(() => render(WORKER_CHART, { values: { autoscaling: { minReplicas: 5, maxReplicas: 3 }, keda: { enabled: true } } })).not.toThrow();
  });
});
