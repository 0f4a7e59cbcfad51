// @jobnik/manager: the REST service. Embed it with startManager() or run `jobnik-manager serve`.
export { startManager, type StartedManager } from './server.js';
export { buildManager, type Manager } from './app.js';
export { loadConfig, configSchema, type ManagerConfig } from './config.js';
export { migrate } from './db/migrate.js';
export { DatabaseStartError } from './db/database-start-error.js';
export { startFailureCause } from './start-failure.js';
