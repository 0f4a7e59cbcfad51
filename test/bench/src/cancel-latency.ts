// Cancel-to-signal latency: how long a running handler takes to learn its task was cancelled, with the
// worker's default options (directives long-poll; heartbeats every 10 s). One task runs at a time; its job
// is cancelled; latency = handler's ctx.signal abort − cancel request sent. Producer and worker share this
// process (one clock, performance.now()); both talk real HTTP to the manager in its own process.
import { WorkerClient } from '@jobnik/sdk';
import { createDatabase } from './database.js';
import { isMain } from './main.js';
import { startManagerProcess } from './manager-process.js';
import { benchProducer } from './producer.js';
import { note, percentile, report, round } from './report.js';
import { settings, targets, type StoreKind } from './settings.js';

export interface CancelResult {
  store: StoreKind;
  /** Cancel request sent → ctx.signal aborted, ascending (ms). */
  latencies: number[];
}

const STAGE = 'cancel-latency';

export async function runCancel(store: StoreKind): Promise<CancelResult> {
  const database = store === 'postgres' ? await createDatabase() : null;
  const manager = await startManagerProcess({ store, databaseUrl: database?.url });
  const started = new Map<number, () => void>();
  const aborted = new Map<number, (at: number) => void>();
  // Default options: what a user gets without tuning.
  const worker = new WorkerClient({ baseUrl: manager.url, workerId: 'cancel-latency' });
  worker.on('error', () => undefined);
  worker.handle(STAGE, (task, ctx) => {
    const i = (task.data as { i: number }).i;
    return new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => {
        aborted.get(i)?.(performance.now());
        reject(ctx.signal.reason);
      });
      started.get(i)?.();
    });
  });
  const producer = benchProducer(manager.url);
  const within = <T>(p: Promise<T>, ms: number, what: string) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms))]);
  try {
    await worker.start();
    const { samples, warmup } = settings.cancel;
    const latencies: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      const running = new Promise<void>((resolve) => started.set(i, resolve));
      const abortedAt = new Promise<number>((resolve) => aborted.set(i, resolve));
      const job = await producer.createJob('cancel-latency', { stages: [{ type: STAGE, tasks: [{ data: { i } }] }] });
      await within(running, 5_000, `task ${i} start`);
      const sent = performance.now();
      await producer.cancelJob(job.id);
      // Past the heartbeat interval (10 s) would mean the push path did not work at all.
      const at = await within(abortedAt, 15_000, `abort of task ${i}`);
      if (i >= warmup) latencies.push(at - sent);
    }
    return { store, latencies: latencies.sort((a, b) => a - b) };
  } finally {
    await worker.stop({ graceMs: 2_000 });
    await producer.close();
    await manager.stop();
    await database?.drop();
  }
}

export function reportCancel(r: CancelResult, run: number): void {
  const p = (q: number) => round(percentile(r.latencies, q), 2);
  const common = { run, samples: r.latencies.length, options: 'defaults' };
  report({ figure: `cancel-to-signal-p50-${r.store}`, value: p(50), unit: 'ms', ...common });
  report({ figure: `cancel-to-signal-p99-${r.store}`, value: p(99), unit: 'ms', target: targets.cancelToSignalP99Ms, ...common, maxMs: p(100) });
}

if (isMain(import.meta.url)) {
  for (const store of settings.stores) {
    for (let run = 1; run <= settings.repeat; run++) {
      note(`cancel-to-signal ${store} run ${run}`);
      reportCancel(await runCancel(store), run);
    }
  }
}
