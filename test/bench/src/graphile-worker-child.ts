// One graphile-worker process (the peer), in its documented high-throughput configuration: a local
// queue that fetches jobs in batches and batched job completion; noop task.
import { Logger, run } from 'graphile-worker';
import { CompletionReporter, onStop, send } from './fleet-protocol.js';
import { epochMs } from './report.js';

const env = process.env;
const reporter = new CompletionReporter();
// Its default logger prints a line per job, which would dominate a noop benchmark: warnings and errors only.
const logger = new Logger(() => (level, message) => {
  if (level === 'error' || level === 'warning') console.error(`[graphile-worker] ${message}`);
});
const runner = await run({
  connectionString: env.BENCH_DATABASE_URL!,
  concurrency: Number(env.BENCH_PEER_CONCURRENCY ?? 10),
  noHandleSignals: true,
  logger,
  pollInterval: 1_000,
  taskList: { noop: async () => undefined },
  preset: {
    worker: {
      localQueue: { size: Number(env.BENCH_PEER_LOCAL_QUEUE ?? 100) },
      completeJobBatchDelay: Number(env.BENCH_PEER_BATCH_DELAY_MS ?? 0),
      failJobBatchDelay: Number(env.BENCH_PEER_BATCH_DELAY_MS ?? 0),
    },
  },
});
// job:success fires when the task function returns; the benchmark's end time comes from the database
// (the jobs table empty), so a batched completion still counts only once it is written.
runner.events.on('job:success', () => reporter.record(epochMs()));
send({ type: 'ready' });
onStop(async () => {
  await runner.stop();
  reporter.close();
});
