// Entry point: start tracing (when OTEL_* asks for it) and the worker app from the environment; SIGTERM/SIGINT
// drain it within WORKER_SHUTDOWN_GRACE_MS, export the last spans and exit (a second signal exits at once).
import { startWorkerApp } from './app.js';
import { startTelemetry } from './telemetry.js';

const telemetry = startTelemetry('jobnik-worker');
const app = await startWorkerApp();

let signalled = false;
function onSignal(signal: NodeJS.Signals): void {
  if (signalled) process.exit(1);
  signalled = true;
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
