// The worker chart's ScaledObject as KEDA reads it: a de-duplicated, install-scoped query; a documented failure
// mode (an empty result is an error, and an error for failureThreshold polls runs fallback.replicas); the
// pass-through sections (advanced, authenticationRef) and the cross-field rules. keda-prometheus.test.ts runs
// the same query against a real Prometheus.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateManifest } from './kube.js';
import { VALUES_DIR, WORKER_CHART } from './paths.js';
import { one, render, renderText, type Manifest } from './render.js';

const ALL_ON = join(VALUES_DIR, 'worker-all-on.yaml');
const keda = (values: Record<string, unknown> = {}, manager?: Record<string, unknown>) =>
  one(render(WORKER_CHART, { name: 'tiles', values: { keda: { enabled: true, ...values }, ...(manager ? { manager } : {}) } }), 'ScaledObject');
const query = (scaled: Manifest): string => scaled.spec.triggers[0].metadata.query;

describe('worker chart KEDA ScaledObject', () => {
  it('falls back to a fixed number of replicas when the depth cannot be read, by default', () => {
    const scaled = keda();
    validateManifest(scaled);
    expect(scaled.spec.fallback).toEqual({ failureThreshold: 3, replicas: 2 });
    // Without this KEDA reads an empty result (the metric absent) as 0 and ignores it: no fallback.
    expect(scaled.spec.triggers[0].metadata.ignoreNullValues).toBe('false');
    expect(scaled.spec.triggers[0].metricType).toBe('AverageValue');
    // An empty result must stay empty when no replica read the depths: the only thing that turns absent depth series
    // into a number is a replica of the install saying it read them (idle queues left out of its scrape).
    expect(query(scaled)).not.toMatch(/vector\(|absent/);
    expect(query(scaled).split(' or ').slice(1)).toEqual(['0 * max(jobnik_queue_depth_up{namespace="jobs",service="jobnik-manager"} == 1)']);

    const allOn = one(render(WORKER_CHART, { name: 'tiles', valuesFiles: [ALL_ON] }), 'ScaledObject');
    expect(allOn.spec.fallback).toEqual({ failureThreshold: 4, replicas: 3 });
    const none = keda({ fallback: null });
    expect(none.spec.fallback).toBeUndefined();
    expect(renderText(WORKER_CHART, { notes: true, values: { keda: { enabled: true, fallback: null } } })).toContain('WARNING: keda.fallback is off');
    expect(renderText(WORKER_CHART, { notes: true, values: { keda: { enabled: true } } })).toContain('KEDA runs 2 replicas until it reads the depth again');
  });

  it('passes advanced, authenticationRef and authModes through', () => {
    const scaled = one(render(WORKER_CHART, { name: 'tiles', valuesFiles: [ALL_ON] }), 'ScaledObject');
    expect(scaled.spec.advanced).toEqual({ horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 600 } } } });
    expect(scaled.spec.triggers[0].authenticationRef).toEqual({ name: 'prometheus-bearer', kind: 'TriggerAuthentication' });
    expect(scaled.spec.triggers[0].metadata.authModes).toBe('bearer');
    const plain = keda();
    expect(plain.spec.advanced).toBeUndefined();
    expect(plain.spec.triggers[0].authenticationRef).toBeUndefined();
    expect(plain.spec.triggers[0].metadata).not.toHaveProperty('authModes');
  });

  it('de-duplicates the replicas’ series before summing, scoped to the manager named by manager.url', () => {
    expect(query(keda())).toBe(
      'sum(max by (tenant, stage_type, status) (jobnik_queue_depth{namespace="jobs",service="jobnik-manager",stage_type=~"tile-render|tile-upload|tile-index",status=~"ready|in_progress"})) or 0 * max(jobnik_queue_depth_up{namespace="jobs",service="jobnik-manager"} == 1)',
    );
    const scope = (url: string) => /\{namespace="([^"]*)",service="([^"]*)"/.exec(query(keda({}, { url })))?.slice(1);
    expect(scope('http://jm.platform.svc.cluster.local:8080')).toEqual(['platform', 'jm']);
    expect(scope('http://jm.platform')).toEqual(['platform', 'jm']);
    expect(scope('https://jm:8443')).toEqual(['jobs', 'jm']); // the release namespace
    expect(() => keda({}, { url: 'https://jobnik.example.com' })).toThrow(/keda\.managerMetricLabels: cannot tell the manager's Service and namespace from manager\.url/);
    // Explicit labels win (e.g. the `job` label of a plain scrape config).
    expect(query(keda({ managerMetricLabels: { job: 'jobnik', cluster: 'eu-1' } }, { url: 'https://jobnik.example.com' }))).toMatch(
      /^sum\(max by \(tenant, stage_type, status\) \(jobnik_queue_depth\{cluster="eu-1",job="jobnik",stage_type=~.* or 0 \* max\(jobnik_queue_depth_up\{cluster="eu-1",job="jobnik"\} == 1\)$/,
    );
  });

  it('refuses replica counts that contradict each other, naming the values', () => {
    expect(() => keda({ minReplicaCount: 5, maxReplicaCount: 3 })).toThrow('keda.minReplicaCount (5) must not be greater than keda.maxReplicaCount (3)');
    expect(() => keda({ maxReplicaCount: 4, fallback: { failureThreshold: 3, replicas: 6 } })).toThrow('keda.fallback.replicas (6) must not be greater than keda.maxReplicaCount (4)');
    expect(() => keda({ authenticationRef: { name: 'prom', kind: 'TriggerAuthentication' } })).toThrow(/keda\.authModes/);
    expect(keda({ minReplicaCount: 3, maxReplicaCount: 3 }).spec.minReplicaCount).toBe(3);
  });
});
