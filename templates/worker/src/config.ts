// Worker configuration: a convict schema read from the environment; every key has its doc and env name.
import convict from 'convict';

/** Node's timers fire at once past 2^31 - 1 ms (~24.8 days): no duration here may be longer. */
const TIMER_MAX_MS = 2_147_483_647;

/**
 * A convict format for an integer from min to max, read from digits only. Convict's own `nat`/`int`/`port` parse
 * with parseInt, so "20s" became 20 and "1.5" became 1 without a word.
 */
function integerFormat(name: string, min: number, max: number, unit = ''): string {
  convict.addFormat({
    name,
    coerce: (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v),
    validate(value: unknown) {
      if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) throw new TypeError(`must be an integer from ${min} to ${max}${unit}`);
    },
  });
  return name;
}

// The ranges are the SDK's own (WorkerClient's option checks), so a value the SDK would refuse stops the start here,
// named by its setting, instead of as a TypeError about an option the user never set.
/** 1000 at most: the SDK asks for up to `concurrency` tasks in one dequeue, and a dequeue takes at most 1000. */
const concurrencyFormat = integerFormat('worker-concurrency', 1, 1000);
/** Out of concurrency, which bounds it from above (checked in loadConfig: at most concurrency − 1). */
const quietSlotsFormat = integerFormat('worker-quiet-slots', 0, 999);
/** The SDK's long-poll limit: a longer wait would outlast the manager's shutdown grace. */
const waitFormat = integerFormat('worker-wait-ms', 0, 60_000, ' (ms)');
/** The manager's dequeue floor and the SDK's ceiling. */
const leaseFormat = integerFormat('worker-lease-ms', 1_000, 3_600_000, ' (ms)');
/** A duration where 0 means "at once". */
const msFormat = integerFormat('worker-ms', 0, TIMER_MAX_MS, ' (ms)');
/** 0 picks a free port. */
const portFormat = integerFormat('worker-port', 0, 65_535);

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
    concurrency: { doc: 'Most tasks handled at once (1..1000)', format: concurrencyFormat, default: 8, env: 'WORKER_CONCURRENCY' },
    quietSlots: {
      doc: 'Of those, slots kept for quiet queues: a tenant with ready tasks and none in progress starts in one at once while the other slots are busy with other tenants\' backlogs (0..concurrency-1; 0 = none)',
      format: quietSlotsFormat,
      default: 0,
      env: 'WORKER_QUIET_SLOTS',
    },
    shutdownGraceMs: { doc: 'On SIGTERM/SIGINT: how long running tasks may take to finish before they are released (ms)', format: msFormat, default: 20_000, env: 'WORKER_SHUTDOWN_GRACE_MS' },
    waitMs: { doc: 'Long-poll: how long one dequeue waits on the manager for a task (0..60000 ms)', format: waitFormat, default: 20_000, env: 'WORKER_WAIT_MS' },
    leaseMs: {
      doc: 'Lease of a task this worker runs (1000..3600000), renewed by heartbeats every third of it: a crashed or stopped worker\'s tasks run again elsewhere about this long after its last heartbeat',
      format: leaseFormat,
      default: 30_000,
      env: 'WORKER_LEASE_MS',
    },
  },
  tile: {
    workMs: { doc: 'Simulated render time of one tile (the example handler, ms)', format: msFormat, default: 40, env: 'TILE_WORK_MS' },
    failureRate: { doc: 'Share of tasks (0..1) whose first attempt fails on purpose, to show retries', format: 'fraction', default: 0.05, env: 'TILE_FAILURE_RATE' },
  },
  readiness: {
    outageGraceMs: {
      doc: 'How long /health/ready stays 200 while the manager is unreachable or answers 5xx (a manager rollout, a database failover); 503 after that. A rejected API key is 503 at once (ms)',
      format: msFormat,
      default: 60_000,
      env: 'WORKER_READY_OUTAGE_GRACE_MS',
    },
  },
  health: {
    port: { doc: 'Port of /health/live, /health/ready and /metrics (0 picks a free one)', format: portFormat, default: 8081, env: 'WORKER_HEALTH_PORT' },
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
  name: 'fraction',
  // A plain decimal: Number() would also take "", " " (both 0) and "0x1".
  coerce: (v: unknown) => (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v),
  validate(value: unknown) {
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new TypeError('must be a number from 0 to 1');
  },
});

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

function createConfig(env: NodeJS.ProcessEnv) {
  return convict(configSchema, { env });
}

export interface WorkerConfig {
  manager: { url: string; apiKey: string };
  worker: { stageTypes: string[]; concurrency: number; quietSlots: number; shutdownGraceMs: number; waitMs: number; leaseMs: number };
  tile: { workMs: number; failureRate: number };
  readiness: { outageGraceMs: number };
  health: { port: number };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
}

/** A setting the worker cannot start with: the message is one line naming each environment variable and key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIGURATION';
}

/** The environment variable of a schema key such as `worker.concurrency`, if it has one. */
function envOf(key: string): string | undefined {
  let node: unknown = configSchema;
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  const env = (node as { env?: unknown } | undefined)?.env;
  return typeof env === 'string' ? env : undefined;
}

/**
 * Convict's report (one `key: message` line per bad key) with each key preceded by its environment variable, the
 * name an operator set, joined into one line.
 */
function describeInvalid(report: string): string {
  return report
    .split('\n')
    .map((line) => {
      const m = /^([\w.]+): ([\s\S]*)$/.exec(line);
      const env = m ? envOf(m[1]!) : undefined;
      return m && env ? `${env} (${m[1]}): ${m[2]}` : line;
    })
    .join('; ');
}

/** Reads the environment, then applies overrides (tests, embedding); throws a ConfigError on an invalid or unknown key. */
export function loadConfig(overrides: DeepPartial<WorkerConfig> = {}, env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const config = createConfig(env);
  try {
    config.load(overrides);
    config.validate({ allowed: 'strict' });
  } catch (err) {
    throw new ConfigError(describeInvalid(err instanceof Error ? err.message : String(err)));
  }
  const properties = config.getProperties() as WorkerConfig;
  const { concurrency, quietSlots } = properties.worker;
  if (quietSlots >= concurrency) {
    throw new ConfigError(`WORKER_QUIET_SLOTS (worker.quietSlots): must be below WORKER_CONCURRENCY (${concurrency}), which it is kept out of: value was ${quietSlots}`);
  }
  return properties;
}
