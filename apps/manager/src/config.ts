// Manager configuration: convict schema (env + optional JSON file), every key documented here and in README.
import convict from 'convict';

export const configSchema = {
  http: {
    host: { doc: 'Interface to listen on', format: String, default: '0.0.0.0', env: 'JOBNIK_HOST' },
    port: { doc: 'HTTP port (0 picks a free one)', format: 'port', default: 8080, env: 'JOBNIK_PORT' },
    bodyLimitBytes: { doc: 'Largest request body accepted (413 above it)', format: 'nat', default: 32 * 1024 * 1024, env: 'JOBNIK_BODY_LIMIT_BYTES' },
    maxTasksPerRequest: { doc: 'Most tasks one request may create (413 TOO_MANY_TASKS above it)', format: 'nat', default: 50_000, env: 'JOBNIK_MAX_TASKS_PER_REQUEST' },
    maxJsonDepth: { doc: 'Deepest nesting of a JSON body (400 above it)', format: 'nat', default: 32, env: 'JOBNIK_MAX_JSON_DEPTH' },
  },
  auth: {
    mode: { doc: 'none: no keys (development, loudly logged); apiKey: every API call needs a key', format: ['none', 'apiKey'], default: 'none', env: 'JOBNIK_AUTH_MODE' },
    adminKey: { doc: 'Bootstrap admin key (default tenant); create real keys with it via POST /api-keys', format: String, default: '', env: 'JOBNIK_ADMIN_API_KEY', sensitive: true },
    cacheMs: { doc: 'How long a verified key is trusted before asking the database again (revocation delay across replicas)', format: 'nat', default: 30_000, env: 'JOBNIK_AUTH_CACHE_MS' },
    rateLimitPerMinute: { doc: 'Requests per minute per API key (per client address without one); 0 = no limit. Over it: 429 with Retry-After', format: 'nat', default: 0, env: 'JOBNIK_RATE_LIMIT_PER_MINUTE' },
  },
  database: {
    url: { doc: 'PostgreSQL connection string; empty = embedded PGlite', format: String, default: '', env: 'DATABASE_URL', sensitive: true },
    pgliteDir: { doc: 'Data directory of the embedded PGlite store (memory:// for a throwaway one)', format: String, default: '.data/pglite', env: 'JOBNIK_PGLITE_DIR' },
    poolSize: { doc: 'PostgreSQL connections in the pool', format: 'nat', default: 10, env: 'JOBNIK_DB_POOL_SIZE' },
    migrateOnStart: { doc: 'Apply pending migrations when the server starts', format: Boolean, default: true, env: 'JOBNIK_MIGRATE_ON_START' },
  },
  log: {
    level: { doc: 'pino log level', format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', env: 'JOBNIK_LOG_LEVEL' },
  },
  tasks: {
    leaseMs: { doc: 'Default lease length of a dequeued task; heartbeats extend it', format: 'nat', default: 30_000, env: 'JOBNIK_LEASE_MS' },
    sweepIntervalMs: { doc: 'How often expired leases and timeouts are collected', format: 'nat', default: 5_000, env: 'JOBNIK_SWEEP_INTERVAL_MS' },
    maxAttempts: { doc: 'Default attempts per task', format: 'nat', default: 3, env: 'JOBNIK_TASK_MAX_ATTEMPTS' },
    backoffBaseMs: { doc: 'Default delay before the first retry', format: 'nat', default: 1_000, env: 'JOBNIK_TASK_BACKOFF_BASE_MS' },
    backoffMaxMs: { doc: 'Default cap on the retry delay', format: 'nat', default: 300_000, env: 'JOBNIK_TASK_BACKOFF_MAX_MS' },
    backoffJitter: { doc: 'Default fraction of the retry delay that is randomized (0..1)', format: Number, default: 0.2, env: 'JOBNIK_TASK_BACKOFF_JITTER' },
  },
  scheduler: {
    enabled: { doc: 'Fire cron schedules from this replica (every replica may; each fire happens once)', format: Boolean, default: true, env: 'JOBNIK_SCHEDULER_ENABLED' },
    tickMs: { doc: 'How often due schedules are looked for', format: 'nat', default: 500, env: 'JOBNIK_SCHEDULER_TICK_MS' },
  },
  webhooks: {
    secret: { doc: 'HMAC-SHA256 key for subscriptions without their own secret; empty = such deliveries are unsigned', format: String, default: '', env: 'JOBNIK_WEBHOOK_SECRET', sensitive: true },
    timeoutMs: { doc: 'Time a receiver has to answer a delivery', format: 'nat', default: 5_000, env: 'JOBNIK_WEBHOOK_TIMEOUT_MS' },
    maxAttempts: { doc: 'Deliveries of one event before it is marked failed', format: 'nat', default: 10, env: 'JOBNIK_WEBHOOK_MAX_ATTEMPTS' },
    retryBaseMs: { doc: 'Delay before the first redelivery (doubles each time, capped at 5 minutes)', format: 'nat', default: 1_000, env: 'JOBNIK_WEBHOOK_RETRY_BASE_MS' },
    pollMs: { doc: 'How often the outbox is checked for due deliveries', format: 'nat', default: 500, env: 'JOBNIK_WEBHOOK_POLL_MS' },
  },
  retention: {
    days: { doc: 'Finished jobs are deleted after this many days (unless expiresAt or their job type says otherwise)', format: Number, default: 7, env: 'JOBNIK_RETENTION_DAYS' },
    intervalMs: { doc: 'How often expired jobs are looked for', format: 'nat', default: 60_000, env: 'JOBNIK_RETENTION_INTERVAL_MS' },
    batchSize: { doc: 'Tasks deleted per statement (bounded so deletion never stalls the hot path)', format: 'nat', default: 5_000, env: 'JOBNIK_RETENTION_BATCH_SIZE' },
  },
  history: {
    enabled: { doc: 'Record job and stage transitions and task attempts (GET /jobs/{id}/history, the event streams); written in the statements that make the changes', format: Boolean, default: true, env: 'JOBNIK_HISTORY_ENABLED' },
  },
  shutdown: {
    graceMs: { doc: 'On SIGTERM: how long in-flight requests (long-polls) may take to finish', format: 'nat', default: 10_000, env: 'JOBNIK_SHUTDOWN_GRACE_MS' },
  },
  metrics: {
    listen: { doc: 'Where /metrics is served: api (on the API port) or port (only on its own listener at JOBNIK_METRICS_PORT, so an Ingress to the API port cannot reach it)', format: ['api', 'port'], default: 'api', env: 'JOBNIK_METRICS_LISTEN' },
    port: { doc: 'Port of the separate /metrics listener when JOBNIK_METRICS_LISTEN=port (0 picks a free one)', format: 'port', default: 9464, env: 'JOBNIK_METRICS_PORT' },
    requireKey: { doc: 'With JOBNIK_METRICS_LISTEN=api: /metrics needs an API key of any role (x-api-key or Authorization: Bearer), as the API does', format: Boolean, default: false, env: 'JOBNIK_METRICS_REQUIRE_KEY' },
  },
  dashboard: {
    dir: { doc: 'Directory of the built dashboard served at /ui (empty: the bundled @jobnik/dashboard build, if present)', format: String, default: '', env: 'JOBNIK_DASHBOARD_DIR' },
  },
};

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Loads env, then JOBNIK_CONFIG_FILE (JSON) if set, then overrides; validates strictly. */
function createConfig(env: NodeJS.ProcessEnv) {
  return convict(configSchema, { env });
}

export type ManagerConfig = ReturnType<ReturnType<typeof createConfig>['getProperties']>;

export function loadConfig(overrides: DeepPartial<ManagerConfig> = {}, env: NodeJS.ProcessEnv = process.env): ManagerConfig {
  const config = createConfig(env);
  if (env.JOBNIK_CONFIG_FILE) config.loadFile(env.JOBNIK_CONFIG_FILE);
  config.load(overrides);
  config.validate({ allowed: 'strict' });
  return config.getProperties();
}
