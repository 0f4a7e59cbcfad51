// The autoscaling signal end to end, minus KEDA itself: a real Prometheus scrapes two real manager replicas on one
// PostgreSQL database (as the manager chart's ServiceMonitor does: their /metrics ports, labelled with namespace
// and service) plus a manager of another install; the query the worker chart renders into its ScaledObject must
// equal the true depth of the worker's queues, whatever the number of replicas, read 0 when those queues have no
// work left (the replicas leave idle queues out of their scrape: no series at all), and come back empty once the
// managers are gone, which with the rendered ignoreNullValues "false" is an error for KEDA, so `fallback` applies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestManager, waitFor, type TestDatabase, type TestManager } from '@jobnik/manager/testing';
import { startManager, type StartedManager } from '@jobnik/manager';
import { WORKER_CHART } from './paths.js';
import { call } from './manager-api.js';
import { Prometheus } from './prometheus.js';
import { one, render, type Manifest } from './render.js';

const STAGE_TYPES = ['tile-render', 'tiles.v2-upload'];
// A stage type that only looks like one of the worker's if the regex were unanchored or the dot unescaped.
const LOOKALIKE = 'tilesXv2-upload';

// The other install's work on tile-render, read with the same de-duplication and its own scope.
const OTHER_DEPTH = 'sum(max by (tenant, stage_type, status) (jobnik_queue_depth{namespace="other",service="jobnik-manager",stage_type="tile-render",status=~"ready|in_progress"}))';

const tasks = (n: number) => Array.from({ length: n }, (_, i) => ({ data: { i } }));

/** ready + in_progress of the worker's stage types, as the manager's own API counts them. */
async function trueDepth(base: string): Promise<number> {
  const { items } = await call<{ items: { name: string; depth: { ready: number; inProgress: number } }[] }>(base, 'GET', '/queues');
  return items.filter((q) => STAGE_TYPES.includes(q.name)).reduce((n, q) => n + q.depth.ready + q.depth.inProgress, 0);
}

describe('the worker chart’s KEDA query against a real Prometheus scraping two manager replicas', () => {
  let database: TestDatabase;
  const replicas: StartedManager[] = [];
  let other: TestManager;
  let prometheus: Prometheus;
  let scaled: Manifest;
  let query: string;
  /** The worker's jobs, by name. */
  const jobs = new Map<string, string>();

  beforeAll(async () => {
    database = await createTestDatabase();
    for (let i = 0; i < 2; i++) {
      replicas.push(
        await startManager({
          http: { host: '127.0.0.1', port: 0 },
          database: { url: database.url, poolSize: 4 },
          metrics: { listen: 'port', port: 0, idleQueues: false }, // as the chart runs it, idle queues left out
          log: { level: 'silent' },
        }),
      );
    }
    // Another install sharing the Prometheus, with its own database and the same queue names.
    other = await startTestManager({ store: 'pglite', config: { metrics: { listen: 'port', port: 0 } } });
    scaled = one(
      render(WORKER_CHART, {
        name: 'tiles',
        namespace: 'jobs',
        values: { manager: { url: 'http://jobnik-manager.jobs.svc' }, worker: { stageTypes: STAGE_TYPES }, keda: { enabled: true, threshold: 10 } },
      }),
      'ScaledObject',
    );
    query = scaled.spec.triggers[0].metadata.query;
    const target = (m: { metricsUrl: string | null }) => new URL(m.metricsUrl!).host;
    prometheus = await Prometheus.start([
      { name: 'jobnik-manager', targets: replicas.map(target), labels: { namespace: 'jobs', service: 'jobnik-manager' } },
      { name: 'other-install', targets: [target(other.manager)], labels: { namespace: 'other', service: 'jobnik-manager' } },
    ]);
  });

  /** Waits until every target (`count` of them, all up) has been scraped after `since` (ms), with a deadline. */
  async function scrapedSince(since: number, count: number): Promise<void> {
    await waitFor(
      async () => {
        // timestamp() of a plain selector is the time of each target's last scrape (of an expression, the query's).
        const scrapes = await prometheus.query('timestamp(up)');
        const up = await prometheus.query('up');
        return scrapes.length === count && up.every((u) => u.value === 1) && scrapes.every((s) => s.value * 1000 > since);
      },
      { timeoutMs: 30_000, intervalMs: 250, message: `${count} targets scraped since ${new Date(since).toISOString()}` },
    );
  }

  afterAll(async () => {
    await prometheus?.stop();
    for (const m of replicas) await m.close().catch(() => undefined);
    await other?.close();
    await database?.drop();
  });

  it('reads 0 before the worker’s stage types had any job (no queue of them yet), not an empty result', async () => {
    await scrapedSince(Date.now(), 3);
    expect(await prometheus.query('jobnik_queue_depth{namespace="jobs"}')).toEqual([]);
    expect(await prometheus.value(query)).toBe(0);
  });

  it('equals the true depth of the worker’s queues, counting each task once across the replicas', async () => {
    const [a, b] = replicas as [StartedManager, StartedManager];
    for (const [m, name, type, n] of [[a, 'tiles', 'tile-render', 40], [b, 'upload', 'tiles.v2-upload', 25]] as const) {
      jobs.set(name, (await call<{ id: string }>(m.url, 'POST', '/jobs', { name, stages: [{ type, tasks: tasks(n) }] })).id);
    }
    await call(a.url, 'POST', '/jobs', { name: 'noise', stages: [{ type: LOOKALIKE, tasks: tasks(9) }] });
    // Some running (in_progress counts as work), leased through the other replica.
    const leased = await call<{ tasks: unknown[] }>(b.url, 'POST', '/dequeue', { workerId: 'w1', max: 10, stageTypes: ['tile-render'] });
    expect(leased.tasks).toHaveLength(10);
    // The other install has work on the same queue names.
    await call(other.url, 'POST', '/jobs', { name: 'elsewhere', stages: [{ type: 'tile-render', tasks: tasks(13) }] });

    const truth = await trueDepth(a.url);
    expect(truth).toBe(65);
    await scrapedSince(Date.now(), 3); // both replicas and the other install
    const value = await prometheus.value(query);
    expect(value).toBe(65);
    // Each queue and status is exported by both replicas: the naive sum (the chart's former query) doubles it,
    // and without the install's labels it also adds the other install's queue.
    const per = (sel: string) => `jobnik_queue_depth{${sel}stage_type=~"tile-render|tiles\\\\.v2-upload",status=~"ready|in_progress"}`;
    expect(await prometheus.value(`count(${per('namespace="jobs",')})`)).toBe(2 * 2 * 2); // replicas × queues × statuses
    expect(await prometheus.value(`sum(${per('')})`)).toBe(2 * 65 + 13);
    // KEDA's replica count for it: ceil(65 / threshold 10).
    expect(Math.ceil(value! / Number(scaled.spec.triggers[0].metadata.threshold))).toBe(7);
  });

  it('follows the depth as tasks finish', async () => {
    const [a] = replicas as [StartedManager];
    const batch = await call<{ tasks: { id: string; leaseToken: string }[] }>(a.url, 'POST', '/dequeue', { workerId: 'w2', max: 15, stageTypes: ['tiles.v2-upload'] });
    await call(a.url, 'POST', '/tasks/complete', { items: batch.tasks.map((t) => ({ taskId: t.id, leaseToken: t.leaseToken, result: {} })) });
    const truth = await trueDepth(a.url);
    expect(truth).toBe(50);
    await scrapedSince(Date.now(), 3);
    expect(await prometheus.value(query)).toBe(truth);
  });

  it('reads 0, not an empty result, once the worker’s queues have no work left and leave the scrape', async () => {
    const [a] = replicas as [StartedManager];
    for (const id of jobs.values()) await call(a.url, 'POST', `/jobs/${id}/cancel`);
    expect(await trueDepth(a.url)).toBe(0);
    const active = await call<{ items: { name: string }[] }>(a.url, 'GET', '/queues?active=true');
    expect(active.items.map((q) => q.name)).toEqual([LOOKALIKE]);
    await scrapedSince(Date.now(), 3);
    // The depth series of the worker's stage types are gone (the lookalike's stay): the depth part alone is empty,
    // and the query reads 0 because the replicas say they read the depths (jobnik_queue_depth_up 1).
    const depthPart = query.split(' or ')[0]!;
    expect(await prometheus.query(depthPart)).toEqual([]);
    expect(await prometheus.value(`count(jobnik_queue_depth{namespace="jobs",stage_type="${LOOKALIKE}"})`)).toBe(2 * 5); // replicas × statuses
    expect(await prometheus.value(query)).toBe(0);
  });

  it('comes back empty once the install’s managers are gone, which the rendered trigger turns into the fallback', async () => {
    for (const m of replicas.splice(0)) await m.close();
    // Failed scrapes mark the replicas' series stale: the query's result is empty, not 0.
    await waitFor(async () => (await prometheus.query(query)).length === 0, { timeoutMs: 30_000, intervalMs: 250, message: 'an empty result' });
    expect(await prometheus.value('sum(up{namespace="jobs",service="jobnik-manager"})')).toBe(0);
    // The other install is unaffected (its scope is its own).
    expect(await prometheus.value(OTHER_DEPTH)).toBe(13);
    // KEDA's prometheus scaler: with ignoreNullValues "false" an empty result is an error; after failureThreshold
    // errors in a row KEDA scales to fallback.replicas (AverageValue metric) instead of keeping 0 workers.
    const [trigger] = scaled.spec.triggers;
    expect(trigger.metadata.ignoreNullValues).toBe('false');
    expect(trigger.metricType).toBe('AverageValue');
    expect(scaled.spec.fallback).toEqual({ failureThreshold: 3, replicas: 2 });
    expect(scaled.spec.minReplicaCount).toBe(0);
  });
});
