// Reproduction (not part of the suite): how long a manager takes to shut down on SIGTERM while 4 worker processes
// keep it busy. The manager is SIGTERMed (and started again) `rounds` times, 1–3 s apart; each stop's exit and
// duration is printed, then one JSON line with their range.
// `hold` runs it with an idle-in-transaction session holding the xmin horizon.
//   pnpm --filter @jobnik/chaos-tests repro:shutdown-under-load [hold] [rounds=15]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestDatabase } from '@jobnik/manager/testing';
import { ProducerClient } from '@jobnik/sdk';
import { killAllChildren } from './children.js';
import { HeldHorizon } from './held-horizon.js';
import { freePort, ManagerProcess } from './manager-process.js';
import { WorkerPool } from './worker-pool.js';
import { STAGE_TYPES, submitWorkload } from './workload.js';

const hold = process.argv[2] === 'hold';
const rounds = Number(process.argv[hold ? 3 : 2] ?? 15);
const db = await createTestDatabase();
const logDir = mkdtempSync(join(tmpdir(), 'jobnik-shutdown-'));
const manager = new ManagerProcess({ databaseUrl: db.url, port: await freePort(), leaseMs: 3_000, sweepIntervalMs: 500 });
await manager.start();
const horizon = hold ? await HeldHorizon.hold(db.url) : undefined;
const producer = new ProducerClient({ baseUrl: manager.url, timeoutMs: 5_000 });
const pool = new WorkerPool({ url: manager.url, logDir, stageTypes: [...STAGE_TYPES], taskMs: '20-40', concurrency: 4, leaseMs: 3_000 });
const stops: { code: number | null; ms: number }[] = [];
try {
  await submitWorkload(producer, `shutdown-${Date.now()}`, { jobs: 20, tasksPerJob: 1_000, stages: 2, maxAttempts: 10 });
  pool.start(4);
  for (let i = 0; i < rounds; i++) {
    await delay(1_000 + Math.random() * 2_000); // when the SIGTERM lands is random on purpose
    const t0 = Date.now();
    const exit = await manager.stop('SIGTERM');
    stops.push({ code: exit?.code ?? null, ms: Date.now() - t0 });
    console.log(`stop ${i + 1}: exit ${JSON.stringify(exit)} after ${stops.at(-1)!.ms} ms`);
    await manager.start();
  }
} finally {
  await horizon?.release();
  killAllChildren();
  await producer.close();
  await db.drop();
  rmSync(logDir, { recursive: true, force: true });
}
const ms = stops.map((s) => s.ms).sort((a, b) => a - b);
console.log(JSON.stringify({ rounds: stops.length, held: hold, minMs: ms[0], medianMs: ms[Math.floor(ms.length / 2)], maxMs: ms.at(-1), over2s: ms.filter((x) => x > 2_000).length, nonZeroExits: stops.filter((s) => s.code !== 0).length }));
process.exit(0);
