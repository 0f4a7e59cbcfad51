// @jobnik/worker-template as a library: the app's wiring, for tests and for running the worker inside another process.
export { startWorkerApp, type WorkerApp, type StartWorkerAppOptions } from './app.js';
export { createAppContainer } from './container.js';
export { loadConfig, configSchema, type WorkerConfig } from './config.js';
export { TOKENS } from './tokens.js';
export { TileHandler, SimulatedRenderError } from './handlers/tile-handler.js';
export type { TaskHandlerService } from './handlers/task-handler-service.js';
export type * from './jobs.js';
