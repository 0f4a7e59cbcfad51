// `pnpm start`: the quick-start demo. JOBNIK_PORT (8080), DEMO_TASKS_PER_STAGE (300), TILE_WORK_MS (150),
// JOBNIK_DEMO_DATA_DIR (.data/demo). Ctrl-C (or SIGTERM) stops the worker, the producer and the manager.
import { startFailureCause } from '@jobnik/manager';
import { runDemo, type Demo } from './demo.js';

// Ctrl-C is taken from the first moment: while the demo starts, it aborts the start and stops what has started.
const aborter = new AbortController();
let stoppingSince = 0;
function onSignal(): void {
  // One Ctrl-C arrives twice (the terminal signals the whole process group, pnpm passes it on to its child): a
  // second signal forces the exit only a moment after the first.
  if (stoppingSince > 0) {
    if (Date.now() - stoppingSince > 1000) process.exit(1);
    return;
  }
  stoppingSince = Date.now();
  process.stdout.write('\nStopping…\n');
  aborter.abort();
  started
    .then((demo) => demo?.stop())
    .then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('stop failed', err);
        process.exit(1);
      },
    );
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const started: Promise<Demo | undefined> = runDemo({
  port: Number(process.env.JOBNIK_PORT ?? 8080),
  dataDir: process.env.JOBNIK_DEMO_DATA_DIR ?? '.data/demo',
  tasksPerStage: Number(process.env.DEMO_TASKS_PER_STAGE ?? 300),
  tileWorkMs: Number(process.env.TILE_WORK_MS ?? 150),
  out: process.stdout,
  signal: aborter.signal,
}).catch((err: unknown) => {
  // Stopped while starting: runDemo has stopped what it started.
  if (aborter.signal.aborted) return undefined;
  // A demo already running (its store and port are taken) is said in one line, not a stack trace.
  const cause = startFailureCause(err);
  if (cause === null) throw err;
  // The demo's store is set by its own variable, not the manager's.
  console.error(`jobnik demo: cannot start: ${cause.replace('(JOBNIK_PGLITE_DIR)', '(JOBNIK_DEMO_DATA_DIR)')}`);
  process.exit(1);
});

const demo = await started;
demo?.done.catch((err: unknown) => console.error('progress display failed', err));
