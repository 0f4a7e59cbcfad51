// Worker configuration: a convict schema read from the environment; every key has its doc and env name.
import convict from 'convict';

export const configSchema = {
  manager: {
    url: { doc: 'Base URL of the Jobnik manager', format: 'http-url', default: 'http://127.0.0.1:8080', env: 'JOBNIK_MANAGER_URL' },
    apiKey: { doc: 'API key sent as x-api-key (empty: the manager runs without auth)', format: String, default: '', env: 'JOBNIK_API_KEY', sensitive: true },
  },
  worker: {
    stageTypes: {
      doc: 'Comma-separated stage types (queues) this worker takes tasks from',
      format: 'stage-types',
      default: ['tile-render', 'tile-upload', 'tile-index'],
      env: 'WORKER_STAGE_TYPES',
    },
    concurrency: { doc: 'Most tasks handled at once', format: 'int-positive', default: 8, env: 'WORKER_CONCURRENCY' },
    shutdownGraceMs: { doc: 'On SIGTERM/SIGINT: how long running tasks may take to finish before they are released', format: 'nat', default: 20_000, env: 'WORKER_SHUTDOWN_GRACE_MS' },
    waitMs: { doc: 'Long-poll: how long one dequeue waits on the manager for a task', format: 'nat', default: 20_000, env: 'WORKER_WAIT_MS' },
    leaseMs: {
      doc: 'Lease of a task this worker runs (1000..3600000), renewed by heartbeats every third of it: a crashed or stopped worker\'s tasks run again elsewhere about this long after its last heartbeat',
      format: 'lease-ms',
      default: 30_000,
      env: 'WORKER_LEASE_MS',
    },
  },
  tile: {
    workMs: { doc: 'Simulated render time of one tile (the example handler)', format: 'nat', default: 40, env: 'TILE_WORK_MS' },
    failureRate: { doc: 'Share of tasks (0..1) whose first attempt fails on purpose, to show retries', format: 'fraction', default: 0.05, env: 'TILE_FAILURE_RATE' },
  },
  readiness: {
    outageGraceMs: {
      doc: 'How long /health/ready stays 200 while the manager is unreachable or answers 5xx (a manager rollout, a database failover); 503 after that. A rejected API key is 503 at once',
      format: 'nat',
      default: 60_000,
      env: 'WORKER_READY_OUTAGE_GRACE_MS',
    },
  },
  health: {
    port: { doc: 'Port of /health/live, /health/ready and /metrics (0 picks a free one)', format: 'port', default: 8081, env: 'WORKER_HEALTH_PORT' },
  },
  log: {
    level: { doc: 'pino log level', format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', env: 'LOG_LEVEL' },
  },
};

convict.addFormat({
  name: 'http-url',
  validate(value: unknown) {
    let protocol = '';
    try {
      protocol = new URL(String(value)).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'http:' && protocol !== 'https:') throw new TypeError('must be an http(s) URL');
  },
});
convict.addFormat({
  name: 'stage-types',
  coerce: (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean),
  validate(value: unknown) {
    if (!Array.isArray(value) || value.length === 0) throw new TypeError('must list at least one stage type');
    for (const t of value) if (typeof t !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(t)) throw new TypeError(`invalid stage type ${String(t)}`);
  },
});
convict.addFormat({
  name: 'int-positive',
  coerce: Number,
  validate(value: unknown) {
    if (!Number.isInteger(value) || (value as number) < 1) throw new TypeError('must be a positive integer');
  },
});
convict.addFormat({
  name: 'lease-ms',
  coerce: Number,
  validate(value: unknown) {
    if (!Number.isInteger(value) || (value as number) < 1_000 || (value as number) > 3_600_000) throw new TypeError('must be an integer from 1000 to 3600000 (ms)');
  },
});
convict.addFormat({
  name: 'fraction',
  coerce: Number,
  validate(value: unknown) {
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new TypeError('must be between 0 and 1');
  },
});

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

function createConfig(env: NodeJS.ProcessEnv) {
  return convict(configSchema, { env });
}

export interface WorkerConfig {
  manager: { url: string; apiKey: string };
  worker: { stageTypes: string[]; concurrency: number; shutdownGraceMs: number; waitMs: number; leaseMs: number };
  tile: { workMs: number; failureRate: number };
  readiness: { outageGraceMs: number };
  health: { port: number };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
}

/** Reads the environment, then applies overrides (tests, embedding); throws on an invalid or unknown key. */
export function loadConfig(overrides: DeepPartial<WorkerConfig> = {}, env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const config = createConfig(env);
  config.load(overrides);
  config.validate({ allowed: 'strict' });
  return config.getProperties() as WorkerConfig;
}
