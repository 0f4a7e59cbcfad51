// Manager configuration: convict schema (env + optional JSON file), every key documented here and in README.
import { readFileSync } from 'node:fs';
import convict from 'convict';
import { z } from 'zod';
import { BlockedNetworks, DEFAULT_BLOCKED_NETWORKS } from './domain/blocked-networks.js';

/** Job groups in configuration: name → capacity and stage types (same shape as PUT /queue-groups/{name}). */
const GroupsConfig = z.record(
  z.string().min(1).max(128),
  z.strictObject({ maxInFlight: z.number().int().min(1).max(1_000_000), stageTypes: z.array(z.string().min(1).max(128)).max(256).default([]) }),
);
/** Rate limits in configuration (as PUT /rate-limits/{stageType}, tenantId optional). */
const RateLimitsConfig = z.array(
  z.strictObject({
    stageType: z.string().min(1).max(128),
    tenantId: z.string().min(1).max(128).optional(),
    limit: z.number().int().min(1).max(1_000_000),
    periodMs: z.number().int().min(1).max(86_400_000).default(1000),
    burst: z.number().int().min(1).max(1_000_000).optional(),
  }),
);
export type GroupsConfig = z.output<typeof GroupsConfig>;
export type RateLimitsConfig = z.output<typeof RateLimitsConfig>;

/**
 * A convict format for a JSON value checked by a zod schema. Convict merges nested objects key by key against its
 * schema, so these values travel through it as JSON text (the environment's form); loadConfig turns objects given
 * in the file or in overrides into text first and parses the result back.
 */
function jsonFormat(name: string, schema: z.ZodType) {
  convict.addFormat({
    name,
    validate: (v: unknown) => {
      let parsed: unknown;
      try {
        parsed = typeof v === 'string' ? JSON.parse(v) : v;
      } catch (err) {
        throw new Error(`not JSON: ${(err as Error).message}`);
      }
      const r = schema.safeParse(parsed);
      if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    },
  });
  return name;
}
const groupsFormat = jsonFormat('jobnik-queue-groups', GroupsConfig);
const rateLimitsFormat = jsonFormat('jobnik-rate-limits', RateLimitsConfig);

convict.addFormat({
  name: 'pg-memory-size',
  validate(value: unknown) {
    if (typeof value !== 'string' || !/^[1-9]\d*(kB|MB|GB)$/.test(value)) throw new Error('must be a PostgreSQL memory size such as 32MB (kB, MB or GB)');
  },
});

/** A convict format for an integer from min to max (digits in the environment). */
function integerFormat(name: string, min: number, max: number) {
  convict.addFormat({
    name,
    coerce: (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
    validate(value: unknown) {
      if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) throw new Error(`must be an integer from ${min} to ${max}`);
    },
  });
  return name;
}
/**
 * Booleans: true or false (any case), 1 or 0, in the environment. Convict's own Boolean reads every string but
 * "false" as true, so JOBNIK_HISTORY_ENABLED=0 or a typo such as "flase" silently meant true.
 */
convict.addFormat({
  name: 'jobnik-boolean',
  coerce: (v: unknown) => {
    const text = typeof v === 'string' ? v.trim().toLowerCase() : v;
    return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : v;
  },
  validate(value: unknown) {
    if (typeof value !== 'boolean') throw new Error('must be true or false (or 1 or 0)');
  },
});
const booleanFormat = 'jobnik-boolean';
convict.addFormat({
  name: 'jobnik-networks',
  validate(value: unknown) {
    if (typeof value !== 'string') throw new Error('must be a comma-separated list of networks');
    BlockedNetworks.parse(value);
  },
});
const heapGrowthFormat = integerFormat('heap-growth-percent', 0, 1000);
const percentFormat = integerFormat('percent', 1, 100);
/** Node's timers fire at once past 2^31 - 1 ms (~24.8 days): no duration here may be longer. */
const TIMER_MAX_MS = 2_147_483_647;
/** A duration where 0 has a documented meaning (no limit, never, at once). */
const msOrZeroFormat = integerFormat('jobnik-ms-or-zero', 0, TIMER_MAX_MS);
/** A duration that must pass: a timeout. */
const positiveMsFormat = integerFormat('jobnik-positive-ms', 1, TIMER_MAX_MS);
/** A background loop's interval: 0 (or a few ms) would be a busy loop against the database. */
const loopFormat = integerFormat('jobnik-loop-ms', 10, TIMER_MAX_MS);
/** A task's lease: the dequeue API's own floor; a shorter one expires before the worker could use it. */
const leaseFormat = integerFormat('jobnik-lease-ms', 1000, TIMER_MAX_MS);
/** The /v1 API's lease (its workers never heartbeat; short ones only in tests). */
const v1LeaseFormat = integerFormat('jobnik-v1-lease-ms', 100, TIMER_MAX_MS);
const countFormat = integerFormat('jobnik-count', 1, Number.MAX_SAFE_INTEGER);
const countOrZeroFormat = integerFormat('jobnik-count-or-zero', 0, Number.MAX_SAFE_INTEGER);

/** A convict format for a number from min to max (a decimal in the environment). Convict's Number let "abc" through as null. */
function numberFormat(name: string, min: number, max: number) {
  convict.addFormat({
    name,
    coerce: (v: unknown) => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v),
    validate(value: unknown) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw new Error(`must be a number from ${min} to ${max}`);
    },
  });
  return name;
}
const fractionFormat = numberFormat('jobnik-fraction', 0, 1);
const daysFormat = numberFormat('jobnik-days', 0, 36_500);
const concurrencyFormat = integerFormat('concurrency', 1, 10_000);

export const configSchema = {
  http: {
    host: { doc: 'Interface to listen on', format: String, default: '0.0.0.0', env: 'JOBNIK_HOST' },
    port: { doc: 'HTTP port (0 picks a free one)', format: 'port', default: 8080, env: 'JOBNIK_PORT' },
    bodyLimitBytes: { doc: 'Largest request body accepted (413 above it)', format: countFormat, default: 32 * 1024 * 1024, env: 'JOBNIK_BODY_LIMIT_BYTES' },
    maxTasksPerRequest: { doc: 'Most tasks one request may create (413 TOO_MANY_TASKS above it)', format: countFormat, default: 50_000, env: 'JOBNIK_MAX_TASKS_PER_REQUEST' },
    maxJsonDepth: { doc: 'Deepest nesting of a JSON body (400 above it)', format: countFormat, default: 32, env: 'JOBNIK_MAX_JSON_DEPTH' },
  },
  auth: {
    mode: { doc: 'none: no keys (development, loudly logged); apiKey: every API call needs a key', format: ['none', 'apiKey'], default: 'none', env: 'JOBNIK_AUTH_MODE' },
    adminKey: { doc: 'Bootstrap admin key (default tenant); create real keys with it via POST /api-keys', format: String, default: '', env: 'JOBNIK_ADMIN_API_KEY', sensitive: true },
    cacheMs: { doc: 'How long a verified key is trusted before asking the database again (revocation delay across replicas)', format: msOrZeroFormat, default: 30_000, env: 'JOBNIK_AUTH_CACHE_MS' },
    rateLimitPerMinute: { doc: 'Requests per minute per API key (per client address without one); 0 = no limit. Over it: 429 with Retry-After', format: countOrZeroFormat, default: 0, env: 'JOBNIK_RATE_LIMIT_PER_MINUTE' },
  },
  database: {
    url: { doc: 'PostgreSQL connection string; empty = embedded PGlite', format: String, default: '', env: 'DATABASE_URL', sensitive: true },
    pgliteDir: { doc: 'Data directory of the embedded PGlite store (memory:// for a throwaway one)', format: String, default: '.data/pglite', env: 'JOBNIK_PGLITE_DIR' },
    pgliteSharedBuffers: { doc: "Buffer cache of the embedded PGlite store (PostgreSQL's shared_buffers, inside the manager's memory), e.g. 16MB", format: 'pg-memory-size', default: '16MB', env: 'JOBNIK_PGLITE_SHARED_BUFFERS' },
    pgliteWasmCompiler: {
      doc: "How V8 compiles the embedded store's WebAssembly: baseline (Liftoff only, ~50 MB less memory) or optimizing (hot functions recompiled by TurboFan: faster big creates)",
      format: ['baseline', 'optimizing'],
      default: 'baseline',
      env: 'JOBNIK_PGLITE_WASM_COMPILER',
    },
    poolSize: { doc: "PostgreSQL connections in this replica's pool (fewer: shorter latency tails on a CPU-bound database; more: rides out statements waiting on disk)", format: countFormat, default: 10, env: 'JOBNIK_DB_POOL_SIZE' },
    idleInTransactionTimeoutMs: {
      doc: "PostgreSQL ends a session of this replica's pool that sits this long idle inside a transaction (idle_in_transaction_session_timeout), rolling it back: a replica frozen mid-transaction (SIGSTOP, a paused VM or container, a partition) would otherwise keep the rows it locked from every other replica, and the xmin horizon held, until it resumed. Its transactions take milliseconds; 0 = never",
      format: msOrZeroFormat,
      default: 30_000,
      env: 'JOBNIK_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS',
    },
    connectTimeoutMs: {
      doc: "How long opening a PostgreSQL connection, or waiting for a free one of the pool, may take: past it the request is answered 503 UNAVAILABLE (and a start tries again) instead of hanging on a database that does not answer (a network partition, a host that drops packets); 0 = no limit",
      format: msOrZeroFormat,
      default: 10_000,
      env: 'JOBNIK_DB_CONNECT_TIMEOUT_MS',
    },
    queryTimeoutMs: {
      doc: "How long one statement, or one short transaction, may go unanswered before its connection is dropped and the request answered 503 UNAVAILABLE: a database host that vanished mid-statement (a node lost, a partition, a failover) would otherwise hold the connection until TCP gives up (~15 min), and a pool full of such connections could not reach the new primary. Far above anything the manager runs (milliseconds; a 50,000-task job's creation a few seconds); migrations are exempt; 0 = no limit",
      format: msOrZeroFormat,
      default: 60_000,
      env: 'JOBNIK_DB_QUERY_TIMEOUT_MS',
    },
    startupWaitMs: {
      doc: "How long `serve` and `migrate` wait at start for PostgreSQL to accept connections (retrying with backoff, a warning per try) before they exit 1 with one line naming the database and the last error; 0 = exit at the first refusal. Errors waiting cannot fix (a wrong password, a database that does not exist) end the start at once",
      format: msOrZeroFormat,
      default: 60_000,
      env: 'JOBNIK_DB_STARTUP_WAIT_MS',
    },
    migrateOnStart: { doc: 'Apply pending migrations when the server starts', format: booleanFormat, default: true, env: 'JOBNIK_MIGRATE_ON_START' },
  },
  log: {
    level: { doc: 'pino log level', format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', env: 'JOBNIK_LOG_LEVEL' },
  },
  tasks: {
    leaseMs: { doc: 'Default lease length of a dequeued task; heartbeats extend it', format: leaseFormat, default: 30_000, env: 'JOBNIK_LEASE_MS' },
    sweepIntervalMs: { doc: 'How often expired leases and timeouts are collected', format: loopFormat, default: 5_000, env: 'JOBNIK_SWEEP_INTERVAL_MS' },
    readyRescanMs: {
      doc: "Dequeues scan each queue's ready tasks from where this replica's last lease there stopped (a held xmin horizon then costs no walk over the tasks leased since); a task that became ready behind that point is found when the queue has too little after it, when its writer's wake-up arrives, or by a scan from the start at least this often. 0 = always scan from the start",
      format: msOrZeroFormat,
      default: 10_000,
      env: 'JOBNIK_READY_RESCAN_MS',
    },
    maxAttempts: { doc: 'Default attempts per task', format: countFormat, default: 3, env: 'JOBNIK_TASK_MAX_ATTEMPTS' },
    backoffBaseMs: { doc: 'Default delay before the first retry', format: msOrZeroFormat, default: 1_000, env: 'JOBNIK_TASK_BACKOFF_BASE_MS' },
    backoffMaxMs: { doc: 'Default cap on the retry delay', format: msOrZeroFormat, default: 300_000, env: 'JOBNIK_TASK_BACKOFF_MAX_MS' },
    backoffJitter: { doc: 'Default fraction of the retry delay that is randomized (0..1)', format: fractionFormat, default: 0.2, env: 'JOBNIK_TASK_BACKOFF_JITTER' },
  },
  v1: {
    leaseMs: { doc: 'Lease of a task dequeued through the /v1 (MapColonies-compatible) API, whose workers never heartbeat: the task is theirs this long; past it the sweeper takes it back as a failed attempt', format: v1LeaseFormat, default: 3_600_000, env: 'JOBNIK_V1_LEASE_MS' },
    maxAttempts: { doc: 'maxAttempts of a task created through /v1 without one: runs in all, as in their manager since 0.2 (1: no retry, their database default)', format: countFormat, default: 1, env: 'JOBNIK_V1_MAX_ATTEMPTS' },
  },
  scheduler: {
    enabled: { doc: 'Fire cron schedules from this replica (every replica may; each fire happens once)', format: booleanFormat, default: true, env: 'JOBNIK_SCHEDULER_ENABLED' },
    tickMs: { doc: 'How often due schedules are looked for', format: loopFormat, default: 500, env: 'JOBNIK_SCHEDULER_TICK_MS' },
  },
  webhooks: {
    secret: { doc: 'HMAC-SHA256 key for subscriptions without their own secret; empty = such deliveries are unsigned', format: String, default: '', env: 'JOBNIK_WEBHOOK_SECRET', sensitive: true },
    timeoutMs: { doc: 'Time a receiver has to answer a delivery', format: positiveMsFormat, default: 5_000, env: 'JOBNIK_WEBHOOK_TIMEOUT_MS' },
    maxAttempts: { doc: 'Deliveries of one event before it is marked failed', format: countFormat, default: 10, env: 'JOBNIK_WEBHOOK_MAX_ATTEMPTS' },
    retryBaseMs: { doc: 'Delay before the first redelivery (doubles each time, capped at 5 minutes)', format: msOrZeroFormat, default: 1_000, env: 'JOBNIK_WEBHOOK_RETRY_BASE_MS' },
    pollMs: { doc: 'How often the outbox is checked for due deliveries (a delivery that ends also claims the next at once when events wait for its slot)', format: loopFormat, default: 500, env: 'JOBNIK_WEBHOOK_POLL_MS' },
    concurrency: { doc: 'Deliveries in flight at once on this replica', format: concurrencyFormat, default: 50, env: 'JOBNIK_WEBHOOK_CONCURRENCY' },
    perEndpointConcurrency: {
      doc: "Of those, most to one endpoint (a tenant's webhook URL), so an endpoint that is slow or never answers holds only these slots and the others keep delivering (another tenant's on the same host too); endpoints take turns, and one tenant has at most half of webhooks.concurrency",
      format: concurrencyFormat,
      default: 4,
      env: 'JOBNIK_WEBHOOK_PER_ENDPOINT_CONCURRENCY',
    },
    blockedNetworks: {
      doc: 'Networks no delivery may reach, comma-separated: CIDRs (10.0.0.0/8, fc00::/7), single addresses, or private (loopback, RFC 1918, CGNAT, unique-local and link-local). A URL whose host is such an address is refused when the job or schedule is created (400 WEBHOOK_URL_BLOCKED); a host name is checked at each delivery against every address it resolves to, and the connection goes only to an allowed one. The default blocks link-local, where cloud metadata services answer; empty blocks nothing',
      format: 'jobnik-networks',
      default: DEFAULT_BLOCKED_NETWORKS,
      env: 'JOBNIK_WEBHOOK_BLOCKED_NETWORKS',
    },
  },
  retention: {
    days: { doc: 'Finished jobs are deleted after this many days (unless expiresAt or their job type says otherwise)', format: daysFormat, default: 7, env: 'JOBNIK_RETENTION_DAYS' },
    intervalMs: { doc: 'How often expired jobs are looked for', format: loopFormat, default: 60_000, env: 'JOBNIK_RETENTION_INTERVAL_MS' },
    batchSize: { doc: 'Tasks deleted per statement (bounded so deletion never stalls the hot path)', format: countFormat, default: 5_000, env: 'JOBNIK_RETENTION_BATCH_SIZE' },
    dutyPercent: {
      doc: "Most of the wall time a sweep's deletions may take, in percent: after each statement it rests in proportion (as PostgreSQL's vacuum cost delay does), so pruning a big job leaves the hot path its share; 100 = back to back",
      format: percentFormat,
      default: 25,
      env: 'JOBNIK_RETENTION_DUTY_PERCENT',
    },
  },
  history: {
    enabled: { doc: 'Record job and stage transitions and task attempts (GET /jobs/{id}/history, the event streams); written in the statements that make the changes', format: booleanFormat, default: true, env: 'JOBNIK_HISTORY_ENABLED' },
  },
  memory: {
    heapGrowthPercent: {
      doc: "How far the JavaScript heap may grow past what was live after a full garbage collection before the next one, in percent (V8's --heap-growing-percent); 0 = V8's own choice, which lets a busy manager's heap reach about four times its live data",
      format: heapGrowthFormat,
      default: 100,
      env: 'JOBNIK_HEAP_GROWTH_PERCENT',
    },
  },
  shutdown: {
    graceMs: { doc: 'On SIGTERM: how long in-flight requests (long-polls) may take to finish; then their connections are closed, and the process exits at the latest 3 s later', format: msOrZeroFormat, default: 10_000, env: 'JOBNIK_SHUTDOWN_GRACE_MS' },
  },
  metrics: {
    listen: { doc: 'Where /metrics is served: api (on the API port) or port (only on its own listener at JOBNIK_METRICS_PORT, so an Ingress to the API port cannot reach it)', format: ['api', 'port'], default: 'api', env: 'JOBNIK_METRICS_LISTEN' },
    port: { doc: 'Port of the separate /metrics listener when JOBNIK_METRICS_LISTEN=port (0 picks a free one)', format: 'port', default: 9464, env: 'JOBNIK_METRICS_PORT' },
    requireKey: { doc: 'With JOBNIK_METRICS_LISTEN=api: /metrics needs an API key of any role (x-api-key or Authorization: Bearer), as the API does', format: booleanFormat, default: false, env: 'JOBNIK_METRICS_REQUIRE_KEY' },
    idleQueues: {
      doc: 'Whether jobnik_queue_depth and jobnik_queue_paused carry idle queues (no work that has not ended, not paused): true, every (tenant, stage type) ever used, at 0; false, only queues with work or paused — the series then grow with the work, not with the tenants ever seen (the worker chart\'s KEDA query reads an idle stage type as 0 through jobnik_queue_depth_up either way)',
      format: booleanFormat,
      default: true,
      env: 'JOBNIK_METRICS_IDLE_QUEUES',
    },
  },
  flow: {
    groups: {
      doc: 'Job groups (queue classes): {"name": {"maxInFlight": n, "stageTypes": [...]}}; each caps the tasks in flight of its stage types across all tenants and replicas',
      format: groupsFormat,
      default: '{}',
      env: 'JOBNIK_QUEUE_GROUPS',
    },
    rateLimits: {
      doc: 'Rate limits on task starts: [{"stageType": s, "limit": n, "periodMs": 1000, "burst": b, "tenantId": t}], enforced across replicas',
      format: rateLimitsFormat,
      default: '[]',
      env: 'JOBNIK_RATE_LIMITS',
    },
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

type RawConfig = ReturnType<ReturnType<typeof createConfig>['getProperties']>;
export type ManagerConfig = Omit<RawConfig, 'flow'> & { flow: { groups: GroupsConfig; rateLimits: RateLimitsConfig } };
type FlowInput = { groups?: unknown; rateLimits?: unknown };

/** The flow section as convict carries it: JSON text. */
function flowAsText<T extends { flow?: FlowInput }>(source: T): T {
  // Objects given in the file or as overrides travel as text; the environment's text as it is.
  if (!source.flow) return source;
  const text = (v: unknown) => (v === undefined || typeof v === 'string' ? v : JSON.stringify(v));
  const flow = Object.fromEntries(Object.entries({ groups: text(source.flow.groups), rateLimits: text(source.flow.rateLimits) }).filter(([, v]) => v !== undefined));
  return { ...source, flow };
}

/** The JSON file JOBNIK_CONFIG_FILE names; a file that cannot be read or parsed is named in the error. */
function readConfigFile(path: string): { flow?: FlowInput } {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { flow?: FlowInput };
  } catch (err) {
    throw new Error(`JOBNIK_CONFIG_FILE ${path}: ${(err as Error).message}`);
  }
}

export function loadConfig(overrides: DeepPartial<ManagerConfig> = {}, env: NodeJS.ProcessEnv = process.env): ManagerConfig {
  const config = createConfig(env);
  if (env.JOBNIK_CONFIG_FILE) config.load(flowAsText(readConfigFile(env.JOBNIK_CONFIG_FILE)));
  config.load(flowAsText(overrides));
  config.validate({ allowed: 'strict' });
  const props = config.getProperties();
  // Parsed, with defaults filled in (stageTypes [], periodMs 1000), by the schemas that validated them.
  return { ...props, flow: { groups: GroupsConfig.parse(JSON.parse(props.flow.groups)), rateLimits: RateLimitsConfig.parse(JSON.parse(props.flow.rateLimits)) } };
}
