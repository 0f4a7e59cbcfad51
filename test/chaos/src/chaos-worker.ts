// A chaos worker process: the real WorkerClient on the chaos stage types. Every execution appends
// `taskId attempt pid` to exec-<pid>.log before it starts (so a SIGKILL mid-task still counts it), and every
// outcome the SDK reports appends `<event> taskId attempt pid` to events-<pid>.log (C completed, R released,
// L lease lost, F failed, X cancelled). The handler sleeps a few ms (abortably) and returns its own taskId.
//   JOBNIK_URL, CHAOS_LOG_DIR, CHAOS_STAGE_TYPES (comma-separated)
//   CHAOS_TASK_MS=min-max (handler time; a task's data.ms wins), CHAOS_CONCURRENCY, CHAOS_LEASE_MS, CHAOS_GRACE_MS,
//   CHAOS_WAIT_MS (long-polls, default 2000)
// A task whose data has `checkpoints: n` instead takes n steps of `ms` each, saving a checkpoint after each
// and logging `K taskId step pid` once the manager stored it.
import { openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkerClient } from '@jobnik/sdk';

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`chaos worker: ${name} is required`);
  return v;
};
const dir = env('CHAOS_LOG_DIR');
const execLog = openSync(join(dir, `exec-${process.pid}.log`), 'a');
const eventLog = openSync(join(dir, `events-${process.pid}.log`), 'a');
const [minMs, maxMs] = env('CHAOS_TASK_MS', '2-6').split('-').map(Number) as [number, number | undefined];
const leaseMs = Number(env('CHAOS_LEASE_MS', '3000'));

const worker = new WorkerClient({
  baseUrl: env('JOBNIK_URL'),
  concurrency: Number(env('CHAOS_CONCURRENCY', '4')),
  leaseMs,
  heartbeatIntervalMs: Math.max(100, Math.floor(leaseMs / 3)),
  waitMs: Number(env('CHAOS_WAIT_MS', '2000')),
  logger: { debug() {}, info() {}, warn: (f, msg) => console.error(msg, f), error: (f, msg) => console.error(msg, f) },
});

const handler = async (task: { id: string; data: unknown }, ctx: { attempt: number; signal: AbortSignal }) => {
  writeSync(execLog, `${task.id} ${ctx.attempt} ${process.pid}\n`);
  const steps = (task.data as { checkpoints?: number } | null)?.checkpoints;
  if (steps) return checkpointed(task as { id: string; data: { ms?: number }; checkpoint: unknown }, ctx as typeof ctx & { checkpoint(v: unknown): Promise<void> }, steps);
  const own = (task.data as { ms?: number } | null)?.ms;
  const ms = own ?? minMs + Math.random() * ((maxMs ?? minMs) - minMs);
  await delay(ms, undefined, { signal: ctx.signal });
  return { taskId: task.id, attempt: ctx.attempt, pid: process.pid };
};
const checkpointed = async (task: { id: string; data: { ms?: number }; checkpoint: unknown }, ctx: { attempt: number; signal: AbortSignal; checkpoint(v: unknown): Promise<void> }, steps: number) => {
  for (let step = ((task.checkpoint as { step?: number } | null)?.step ?? 0) + 1; step <= steps; step++) {
    await delay(task.data.ms ?? minMs, undefined, { signal: ctx.signal });
    await ctx.checkpoint({ step });
    writeSync(eventLog, `K ${task.id} ${step} ${process.pid}\n`);
  }
  return { taskId: task.id, attempt: ctx.attempt, pid: process.pid };
};
for (const type of env('CHAOS_STAGE_TYPES').split(',')) worker.handle(type, handler);

const record = (kind: string) => (e: { taskId: string; attempt: number }) => writeSync(eventLog, `${kind} ${e.taskId} ${e.attempt} ${process.pid}\n`);
worker.on('taskCompleted', record('C'));
worker.on('taskReleased', record('R'));
worker.on('leaseLost', record('L'));
worker.on('taskFailed', record('F'));
worker.on('taskCancelled', record('X'));
worker.on('error', () => undefined); // manager outages are the point of the exercise; the run checks the outcome
worker.installSignalHandlers({ graceMs: Number(env('CHAOS_GRACE_MS', '3000')) });
await worker.start();
process.stdout.write('ready\n');
