// Each chart's values.schema.json (draft-07, as Helm validates it): the shipped values and the all-on files
// pass; wrong types, unknown keys and out-of-range values are rejected, as `helm install` would reject them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANAGER_CHART, VALUES_DIR, WORKER_CHART } from './paths.js';
import { readYaml, validator } from './values.js';

describe.each([
  ['jobnik-manager', MANAGER_CHART, 'manager-all-on.yaml'],
  ['worker', WORKER_CHART, 'worker-all-on.yaml'],
])('%s values.schema.json', (_name, chartDir, allOnFile) => {
  const check = validator(chartDir);

  it('accepts the chart defaults and the all-on values', () => {
    expect(check().errors).toEqual([]);
    expect(check(readYaml(join(VALUES_DIR, allOnFile))).errors).toEqual([]);
  });

  it('rejects a wrong type, an unknown key at the top and deep inside, and a bad pull policy', () => {
    expect(check({ replicaCount: 'two' })).toMatchObject({ ok: false, errors: ['/replicaCount must be integer'] });
    expect(check({ replicas: 2 }).errors).toEqual([' must NOT have additional properties']);
    expect(check({ image: { repo: 'x' } }).errors).toEqual(['/image must NOT have additional properties']);
    expect(check({ image: { pullPolicy: 'Sometimes' } }).errors).toEqual(['/image/pullPolicy must be equal to one of the allowed values']);
    expect(check({ autoscaling: { maxReplicas: 0 } }).ok).toBe(false);
    expect(check({ serviceMonitor: { interval: 'often' } }).ok).toBe(false);
  });
});

describe('chart-specific values', () => {
  const manager = validator(MANAGER_CHART);
  const worker = validator(WORKER_CHART);

  it('manager: auth mode and log level are enums, the Secret name is required, config keys are strict', () => {
    expect(readYaml(join(MANAGER_CHART, 'values.yaml')).config).toMatchObject({ auth: { mode: 'apiKey' } });
    expect(manager({ config: { auth: { mode: 'basic' } } }).errors).toEqual(['/config/auth/mode must be equal to one of the allowed values']);
    expect(manager({ config: { log: { level: 'verbose' } } }).ok).toBe(false);
    expect(manager({ config: { auth: { adminKey: 'in-plain-values' } } }).errors).toEqual(['/config/auth must NOT have additional properties']);
    expect(manager({ config: { database: { url: 'postgres://x' } } }).ok).toBe(false); // the URL belongs in the Secret
    expect(manager({ secret: { name: '' } }).ok).toBe(false);
    expect(manager({ config: { tasks: { backoffJitter: 1.5 } } }).ok).toBe(false);
    expect(manager({ podDisruptionBudget: { maxUnavailable: '50%' } }).ok).toBe(true);
    expect(manager({ ingress: { enabled: true, hosts: [{ host: 'a', paths: [{ path: 'x', pathType: 'Prefix' }] }] } }).ok).toBe(false);
  });

  it('worker: stage types are a non-empty list of valid names; KEDA statuses are the gauge statuses', () => {
    expect(worker({ worker: { stageTypes: [] } }).ok).toBe(false);
    expect(worker({ worker: { stageTypes: 'tile-render' } }).ok).toBe(false);
    expect(worker({ worker: { stageTypes: ['bad type'] } }).ok).toBe(false);
    expect(worker({ worker: { stageTypes: ['a.b_c-d'] } }).ok).toBe(true);
    expect(worker({ keda: { statuses: ['running'] } }).ok).toBe(false);
    expect(worker({ keda: { threshold: 0 } }).ok).toBe(false);
    expect(worker({ manager: { url: 'jobnik-manager:8080' } }).ok).toBe(false);
    expect(worker({ manager: { apiKey: 'jbk_plain' } }).errors).toEqual(['/manager must NOT have additional properties']);
  });
});
