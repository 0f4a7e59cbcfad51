// Entry point: start tracing (when OTEL_* asks for it) and the worker app from the environment; SIGTERM/SIGINT
// drain it within WORKER_SHUTDOWN_GRACE_MS, export the last spans and exit (a second signal, a moment after the
// first, exits at once; one Ctrl-C arrives twice under pnpm — from the terminal and passed on by pnpm — and drains).
// A start that fails on something the operator must fix (a setting, a taken health port) prints one line and exits
// 2 (configuration) or 1; anything else is a bug and keeps its stack trace.
import { startWorkerApp, type WorkerApp } from './app.js';
import { startFailure } from './start-failure.js';
import { startTelemetry, type Telemetry } from './telemetry.js';

let telemetry: Telemetry;
let app: WorkerApp;
try {
  telemetry = startTelemetry('jobnik-worker');
  app = await startWorkerApp();
} catch (err) {
  const failure = startFailure(err);
  if (!failure) throw err;
  console.error(failure.line);
  process.exit(failure.exitCode);
}

let signalledAt = 0;
function onSignal(signal: NodeJS.Signals): void {
  if (signalledAt > 0) {
    if (Date.now() - signalledAt > 1000) process.exit(1);
    return;
  }
  signalledAt = Date.now();
  app
    .stop()
    .then(() => telemetry.shutdown())
    .then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`shutdown after ${signal} failed`, err);
        process.exit(1);
      },
    );
}
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
