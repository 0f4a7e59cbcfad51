// The real worker app, in-process, against a real manager: a job submitted with the producer completes,
// first-attempt failures are retried, and the health and metrics endpoints tell the truth over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProducerClient } from '@jobnik/sdk';
import { startTestManager, testStores, type TestManager } from '@jobnik/manager/testing';
import { startWorkerApp, type WorkerApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createAppContainer } from '../src/container.js';
import { TOKENS } from '../src/tokens.js';
import type { WorkerJobs } from '../src/jobs.js';
import { waitFor } from './helpers/wait-for.js';

// The stage types this worker takes by default (a scaffolded copy tests its own).
const STAGES = loadConfig({}, {}).worker.stageTypes;

describe.each(testStores())('worker app against a %s manager', (store) => {
  let manager: TestManager;
  let app: WorkerApp;
  let producer: ProducerClient<WorkerJobs>;

  beforeAll(async () => {
    manager = await startTestManager({ store, config: { tasks: { backoffBaseMs: 20, backoffMaxMs: 100, sweepIntervalMs: 200 } } });
    const container = createAppContainer(
      loadConfig({
        manager: { url: manager.url },
        worker: { concurrency: 4, waitMs: 1_000, shutdownGraceMs: 5_000 },
        tile: { workMs: 4, failureRate: 0.3 },
        health: { port: 0 },
        readiness: { outageGraceMs: 2_000 },
        log: { level: 'silent' },
      }),
    );
    // A pinned random source instead of Math.random: every third first attempt draws below the failure rate, so
    // which tiles fail once is decided by the test, not by luck (with Math.random, 12 tiles all pass 1.4 % of runs).
    let draws = 0;
    container.register(TOKENS.Random, { useValue: () => (draws++ % 3 === 0 ? 0 : 0.99) });
    app = await startWorkerApp({ container });
    producer = new ProducerClient<WorkerJobs>({ baseUrl: manager.url });
  });

  afterAll(async () => {
    await app?.stop(2_000);
    await producer?.close();
    await manager?.close();
  });

  it('runs a job with a stage per stage type to completion, retrying the tiles whose first attempt failed', async () => {
    const tiles = Array.from({ length: 12 }, (_, i) => ({ data: { x: i % 4, y: Math.floor(i / 4), zoom: 10 } }));
    const job = await producer.createJob('tile-export', {
      data: { region: 'test' },
      stages: STAGES.map((type) => ({ type, tasks: tiles })),
    });
    const done = await producer.waitForJob(job.id, { pollMs: 100, timeoutMs: 45_000 });
    expect(done.status).toBe('COMPLETED');
    expect(done.percentage).toBe(100);

    const tasks = [];
    for await (const t of producer.iterateTasks({ jobId: job.id })) tasks.push(t);
    expect(tasks).toHaveLength(12 * STAGES.length);
    for (const t of tasks) {
      expect(t.status).toBe('COMPLETED');
      expect(t.result).toMatchObject({ checksum: expect.stringMatching(/^[0-9a-f]{8}$/) });
    }
    // The same tile renders to the same checksum in every stage.
    const byTile = new Map<string, Set<string>>();
    for (const t of tasks) {
      const key = `${t.data.x}/${t.data.y}`;
      byTile.set(key, (byTile.get(key) ?? new Set()).add((t.result as { checksum: string }).checksum));
    }
    for (const sums of byTile.values()) expect(sums.size).toBe(1);
    // Every third first attempt failed and was retried once; none needed a third.
    expect(tasks.filter((t) => t.attempts === 2)).toHaveLength(Math.ceil(tasks.length / 3));
    expect(Math.max(...tasks.map((t) => t.attempts))).toBe(2);
  });

  it('serves /health/live, /metrics with the task counters, and /health/ready that rides out a short manager outage', async () => {
    const live = await fetch(`${app.healthUrl}/health/live`);
    expect(live.status).toBe(200);

    const metrics = await fetch(`${app.healthUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toMatch(new RegExp(`jobnik_worker_tasks_total\\{[^}]*stage_type="${STAGES[0]}"[^}]*outcome="completed"[^}]*\\} 12`));
    expect(text).toContain('process_cpu_user_seconds_total');

    await waitFor(async () => (await fetch(`${app.healthUrl}/health/ready`)).status === 200, { message: 'ready' });
    const readiness = async () => {
      const res = await fetch(`${app.healthUrl}/health/ready`);
      return { status: res.status, body: (await res.json()) as { status: string; reason?: string; degraded?: string } };
    };
    await manager.stopHttp();
    try {
      // Inside the grace (2 s here): still ready, saying what fails.
      const riding = await waitFor(async () => {
        const r = await readiness();
        return r.body.degraded ? r : null;
      }, { message: 'the outage seen by the readiness check' });
      expect(riding.status).toBe(200);
      expect(riding.body.degraded).toMatch(/^manager unreachable or unavailable for \d+ s: .* \(tolerated for 2 s\)$/);
      // Past it: not ready.
      const notReady = await waitFor(async () => {
        const r = await readiness();
        return r.status === 503 ? r : null;
      }, { message: 'not ready once the outage outlasts the grace' });
      expect(notReady.body.status).toBe('unavailable');
      expect(notReady.body.reason).toMatch(/^manager unreachable or unavailable for [2-9] s/);
    } finally {
      await manager.startHttp();
    }
    await waitFor(async () => (await fetch(`${app.healthUrl}/health/ready`)).status === 200, { message: 'ready again' });
  });

  it('is no longer ready once stopping, and stops within its grace', async () => {
    const started = Date.now();
    const url = app.healthUrl;
    await app.stop(3_000);
    expect(Date.now() - started).toBeLessThan(3_500);
    await expect(fetch(`${url}/health/ready`)).rejects.toThrow();
  });
});
