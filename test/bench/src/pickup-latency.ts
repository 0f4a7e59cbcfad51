// Idle pickup latency: a worker waits on a long-poll; one-task jobs are created one at a time at a steady
// rate; latency = handler start − create response received. Producer and worker share this process (one
// clock, performance.now()); both talk real HTTP to the manager in its own process.
import { WorkerClient } from '@jobnik/sdk';
import { createDatabase } from './database.js';
import { isMain } from './main.js';
import { startManagerProcess } from './manager-process.js';
import { benchProducer } from './producer.js';
import { note, percentile, report, round } from './report.js';
import { settings, targets, type StoreKind } from './settings.js';

export interface PickupResult {
  store: StoreKind;
  samples: number;
  /** Create response → handler start, ascending (ms). */
  fromResponse: number[];
  /** Create request sent → handler start, ascending (ms). */
  fromRequest: number[];
}

const STAGE = 'pickup';

export async function runPickup(store: StoreKind): Promise<PickupResult> {
  const database = store === 'postgres' ? await createDatabase() : null;
  const manager = await startManagerProcess({ store, databaseUrl: database?.url });
  const started = new Map<number, number>();
  const arrived = new Map<number, () => void>();
  const worker = new WorkerClient({ baseUrl: manager.url, workerId: 'pickup', concurrency: 4, waitMs: 20_000 });
  worker.handle(STAGE, async (task) => {
    const i = (task.data as { i: number }).i;
    started.set(i, performance.now());
    arrived.get(i)?.();
    return undefined;
  });
  const producer = benchProducer(manager.url);
  try {
    await worker.start();
    const { ratePerSecond, samples, warmup } = settings.pickup;
    const sent: number[] = [];
    const answered: number[] = [];
    const intervalMs = 1000 / ratePerSecond;
    const t0 = performance.now();
    for (let i = 0; i < warmup + samples; i++) {
      // A steady rate: each create leaves at its slot, not right after the previous one.
      const wait = t0 + i * intervalMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const seen = new Promise<void>((resolve) => arrived.set(i, resolve));
      sent[i] = performance.now();
      await producer.createJob('pickup', { stages: [{ type: STAGE, tasks: [{ data: { i } }] }] });
      answered[i] = performance.now();
      if (!started.has(i)) await Promise.race([seen, new Promise((r) => setTimeout(r, 5_000))]);
      if (!started.has(i)) throw new Error(`task ${i} was not picked up within 5 s`);
    }
    const fromResponse: number[] = [];
    const fromRequest: number[] = [];
    for (let i = warmup; i < warmup + samples; i++) {
      fromResponse.push(started.get(i)! - answered[i]!);
      fromRequest.push(started.get(i)! - sent[i]!);
    }
    const asc = (a: number, b: number) => a - b;
    return { store, samples, fromResponse: fromResponse.sort(asc), fromRequest: fromRequest.sort(asc) };
  } finally {
    await worker.stop({ graceMs: 2_000 });
    await producer.close();
    await manager.stop();
    await database?.drop();
  }
}

export function reportPickup(r: PickupResult, run: number): void {
  const p = (a: number[], q: number) => round(percentile(a, q), 2);
  const common = { run, samples: r.samples, ratePerSecond: settings.pickup.ratePerSecond };
  report({ figure: `pickup-p50-${r.store}`, value: p(r.fromResponse, 50), unit: 'ms', target: targets.pickupP50Ms, ...common, fromCreateRequestMs: p(r.fromRequest, 50) });
  report({ figure: `pickup-p95-${r.store}`, value: p(r.fromResponse, 95), unit: 'ms', ...common, fromCreateRequestMs: p(r.fromRequest, 95) });
  report({ figure: `pickup-p99-${r.store}`, value: p(r.fromResponse, 99), unit: 'ms', target: targets.pickupP99Ms, ...common, fromCreateRequestMs: p(r.fromRequest, 99) });
}

if (isMain(import.meta.url)) {
  for (const store of settings.stores) {
    for (let run = 1; run <= settings.repeat; run++) {
      note(`pickup ${store} run ${run}`);
      reportPickup(await runPickup(store), run);
    }
  }
}
