// The chart of a worker made with `pnpm create-worker` (the command a team runs), rendered as a dependency of the
// umbrella chart in values/umbrella.yaml: its own name, its stage types in the KEDA query, valid objects.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateManifest } from './kube.js';
import { ROOT, VALUES_DIR } from './paths.js';
import { kinds, one, render, type Manifest } from './render.js';
import { fieldErrors } from './strict-fields.js';
import { dependencyValues, readYaml, validator } from './values.js';

describe('a scaffolded worker’s chart', () => {
  let dir: string;
  let chartDir: string;
  let objects: Manifest[];
  const values = dependencyValues(readYaml(join(VALUES_DIR, 'umbrella.yaml')), 'ortho');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jobnik-scaffold-'));
    execFileSync('node', [join(ROOT, 'scripts', 'create-worker.mjs'), 'ortho', '--stage-type', 'ortho-rectify', '--stage-type', 'ortho.mosaic', '--dir', dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    chartDir = join(dir, 'ortho', 'helm');
    objects = render(chartDir, { name: 'platform', namespace: 'platform', values });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is named after the worker and takes the umbrella’s values, global included', () => {
    expect(parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')).name).toBe('ortho');
    expect(validator(chartDir)(values).errors).toEqual([]);
    expect(kinds(objects)).toEqual(['Deployment', 'PodDisruptionBudget', 'ScaledObject']);
    for (const m of objects) {
      validateManifest(m);
      expect(m.metadata.labels?.['app.kubernetes.io/name']).toBe('ortho');
    }
    expect(fieldErrors(objects)).toEqual([]);
  });

  it('scales on its own stage types at the manager of the umbrella, with the fallback', () => {
    const scaled = one(objects, 'ScaledObject');
    expect(scaled.spec.triggers[0].metadata.query).toBe(
      'sum(max by (tenant, stage_type, status) (jobnik_queue_depth{namespace="platform",service="platform-jobnik-manager",stage_type=~"ortho-rectify|ortho\\\\.mosaic",status=~"ready|in_progress"})) or 0 * max(jobnik_queue_depth_up{namespace="platform",service="platform-jobnik-manager"} == 1)',
    );
    expect(scaled.spec.fallback).toEqual({ failureThreshold: 3, replicas: 4 });
    const deployment = one(objects, 'Deployment');
    const spec = deployment.spec.template.spec;
    expect(spec.containers.map((c: { name: string }) => c.name)).toEqual(['worker', 'gcs-fuse']);
    expect(spec.containers[0].image).toBe('registry.platform.example:5000/maps/ortho:1.4.2');
    expect(spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '20Gi' } }, { name: 'imagery', persistentVolumeClaim: { claimName: 'ortho-imagery' } }]);
    const env = Object.fromEntries(spec.containers[0].env.filter((e: { value?: string }) => e.value).map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.WORKER_STAGE_TYPES).toBe('ortho-rectify,ortho.mosaic');
  });
});
