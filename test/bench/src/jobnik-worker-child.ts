// One Jobnik worker process: the real WorkerClient with a noop handler; reports each completion
// (taskCompleted fires once the manager has answered the ack) to the benchmark.
import { WorkerClient } from '@jobnik/sdk';
import { CompletionReporter, onStop, send } from './fleet-protocol.js';
import { epochMs } from './report.js';

const env = process.env;
const worker = new WorkerClient({
  baseUrl: env.BENCH_MANAGER_URL!,
  workerId: `bench-${process.pid}`,
  concurrency: Number(env.BENCH_WORKER_CONCURRENCY ?? 200),
  maxDequeueBatch: Number(env.BENCH_WORKER_BATCH ?? 100),
  ackMaxBatch: Number(env.BENCH_ACK_BATCH ?? 100),
  ackFlushMs: Number(env.BENCH_ACK_FLUSH_MS ?? 2),
  waitMs: 20_000,
});
const reporter = new CompletionReporter();
worker.handle(env.BENCH_STAGE_TYPE ?? 'bench', async () => undefined);
worker.on('taskCompleted', () => reporter.record(epochMs()));
worker.on('error', (err) => send({ type: 'error', message: err.message }));
await worker.start();
send({ type: 'ready' });
onStop(async () => {
  await worker.stop({ graceMs: 5_000 });
  reporter.close();
});
