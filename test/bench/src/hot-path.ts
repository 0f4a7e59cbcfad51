// Manager hot path through real HTTP: bulk create time, dequeue+complete throughput with W concurrent
// workers in batches of B, and idle pickup latency (task created → waiting long-poll answers).
import pino from 'pino';
import { startManager } from '@jobnik/manager';
import { createTestDatabase } from '@jobnik/manager/testing';
import { client } from './http.js';
import { percentile, report, round } from './report.js';

const N = Number(process.env.BENCH_TASKS ?? 20_000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 4);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const PICKUPS = Number(process.env.BENCH_PICKUPS ?? 200);

async function benchStore(store: 'postgres' | 'pglite') {
  const database = store === 'postgres' ? await createTestDatabase() : null;
  const m = await startManager(
    { http: { host: '127.0.0.1', port: 0 }, database: { url: database?.url ?? '', pgliteDir: 'memory://', poolSize: 16 }, log: { level: 'warn' } },
    pino({ level: 'warn' }),
  );
  const api = client(m.url, 2);
  try {
    // 1. Create a job with 10,000 tasks in one request.
    const tasks = (n: number) => Array.from({ length: n }, (_, i) => ({ data: { i, payload: 'x'.repeat(64) } }));
    let t0 = performance.now();
    await api.post('/jobs', { name: 'bench-create', stages: [{ type: 'bench-create', tasks: tasks(10_000) }] });
    report('create-job-10k-tasks', { store, ms: round(performance.now() - t0) });

    // 2. N tasks, W workers each dequeuing B and completing B, until empty.
    for (let i = 0; i < N; i += 10_000) {
      await api.post('/jobs', { name: 'bench', stages: [{ type: 'bench', tasks: tasks(Math.min(10_000, N - i)) }] });
    }
    t0 = performance.now();
    let done = 0;
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        const c = client(m.url, 1);
        for (;;) {
          const d = await c.post<{ tasks: { id: string; leaseToken: string }[] }>('/dequeue', { workerId: `b${w}`, max: BATCH, stageTypes: ['bench'] });
          if (d.tasks.length === 0) break;
          await c.post('/tasks/complete', { items: d.tasks.map((t) => ({ taskId: t.id, leaseToken: t.leaseToken, result: null })) });
          done += d.tasks.length;
        }
        await c.close();
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    report('dequeue-complete-throughput', { store, tasks: done, workers: WORKERS, batch: BATCH, seconds: round(secs, 2), tasksPerSecond: Math.round(done / secs) });

    // 3. Idle pickup latency: a worker long-polls; single-task jobs are created one at a time.
    const latencies: number[] = [];
    const fromRequest: number[] = [];
    const poller = client(m.url, 1);
    const creator = client(m.url, 1);
    for (let i = 0; i < PICKUPS; i++) {
      const poll = poller.post<{ tasks: { id: string; leaseToken: string }[] }>('/dequeue', { workerId: 'idle', max: 1, waitMs: 5000, stageTypes: ['pickup'] });
      await new Promise((r) => setTimeout(r, 5)); // let the poll park: we measure a waiting worker
      const sent = performance.now();
      await creator.post('/jobs', { name: 'pickup', stages: [{ type: 'pickup', tasks: [{ data: i }] }] });
      const created = performance.now();
      const d = await poll;
      const answered = performance.now();
      latencies.push(answered - created);
      fromRequest.push(answered - sent);
      await poller.post('/tasks/complete', { items: d.tasks.map((t) => ({ taskId: t.id, leaseToken: t.leaseToken })) });
    }
    latencies.sort((a, b) => a - b);
    fromRequest.sort((a, b) => a - b);
    report('idle-pickup-latency', {
      store,
      samples: latencies.length,
      p50ms: round(percentile(latencies, 50), 2),
      p95ms: round(percentile(latencies, 95), 2),
      p99ms: round(percentile(latencies, 99), 2),
      fromCreateRequest: { p50ms: round(percentile(fromRequest, 50), 2), p95ms: round(percentile(fromRequest, 95), 2), p99ms: round(percentile(fromRequest, 99), 2) },
      note: 'pNN: create response received → waiting long-poll answered (often ≤ 0: the worker has the task before the producer has its answer); fromCreateRequest: create request sent → long-poll answered',
      target: { p50ms: 5, p99ms: 25 },
    });
    await poller.close();
    await creator.close();
  } finally {
    await api.close();
    await m.close();
    await database?.drop();
  }
}

const stores = (process.env.BENCH_STORES ?? 'postgres,pglite').split(',') as ('postgres' | 'pglite')[];
for (const s of stores) await benchStore(s);
