// One Jobnik worker process: the real WorkerClient with a noop handler; reports each completion
// (taskCompleted fires once the manager has answered the ack) to the benchmark.
import { WorkerClient } from '@jobnik/sdk';
import { CompletionReporter, onStop, send } from './fleet-protocol.js';
import { epochMs } from './report.js';
import { settings } from './settings.js';

const env = process.env;
// BENCH_MANAGER_URLS (comma-separated): several manager replicas, one per worker process in turn.
const replicas = env.BENCH_MANAGER_URLS?.split(',').filter(Boolean) ?? [];
const worker = new WorkerClient({
  baseUrl: replicas.length ? replicas[Number(env.BENCH_WORKER_INDEX ?? 0) % replicas.length]! : env.BENCH_MANAGER_URL!,
  workerId: `bench-${process.pid}`,
  // The same BENCH_* environment as the parent, so the same settings.
  concurrency: settings.worker.concurrency,
  maxDequeueBatch: settings.worker.maxDequeueBatch,
  ackMaxBatch: settings.worker.ackMaxBatch,
  ackFlushMs: settings.worker.ackFlushMs,
  waitMs: 20_000,
  quietSlots: settings.worker.quietSlots,
});
const reporter = new CompletionReporter();
// BENCH_TASK_MS: a handler that takes that long (the default, 0, is a noop: the manager's and the SDK's cost alone).
const taskMs = Number(env.BENCH_TASK_MS ?? 0);
worker.handle(env.BENCH_STAGE_TYPE ?? 'bench', taskMs > 0 ? () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), taskMs)) : async () => undefined);
// A second queue to warm the process up on while the measured one is paused (backlog-scaling.ts).
if (env.BENCH_WARMUP_STAGE_TYPE) worker.handle(env.BENCH_WARMUP_STAGE_TYPE, async () => undefined);
worker.on('taskCompleted', () => reporter.record(epochMs()));
worker.on('error', (err) => send({ type: 'error', message: err.message }));
await worker.start();
send({ type: 'ready' });
onStop(async () => {
  await worker.stop({ graceMs: 5_000 });
  reporter.close();
});
