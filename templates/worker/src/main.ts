// Entry point: start tracing (when OTEL_* asks for it) and the worker app from the environment; SIGTERM/SIGINT
// drain it within WORKER_SHUTDOWN_GRACE_MS, export the last spans and exit (a second signal, a moment after the
// first, exits at once; one Ctrl-C arrives twice under pnpm — from the terminal and passed on by pnpm — and drains).
import { startWorkerApp } from './app.js';
import { startTelemetry } from './telemetry.js';

const telemetry = startTelemetry('jobnik-worker');
const app = await startWorkerApp();

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
