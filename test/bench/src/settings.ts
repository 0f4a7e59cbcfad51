// What to run and how big: `--quick` (or BENCH_QUICK=1) for small sizes while developing; every size
// can be overridden by an environment variable. Targets live here too, next to the sizes they apply to.
import type { Target } from './report.js';

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

function list(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  return raw ? raw.split(',').map((s) => Number(s.trim())).filter((n) => Number.isFinite(n) && n > 0) : fallback;
}

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : Number(raw);
}

export type StoreKind = 'postgres' | 'pglite';

export const settings = {
  quick,
  /** Independent repetitions of every figure; the summary reports their median. */
  repeat: num('BENCH_REPEAT', quick ? 1 : 2),
  stores: (process.env.BENCH_STORES ?? 'postgres,pglite').split(',').map((s) => s.trim()) as StoreKind[],
  /** End-to-end: tasks per run and worker processes per run. */
  tasks: list('BENCH_TASKS', quick ? [5_000] : [20_000, 100_000]),
  // PGlite runs every statement on the manager's one thread: 100k tasks there take minutes per run.
  pgliteTasks: list('BENCH_PGLITE_TASKS', quick ? [2_000] : [20_000]),
  workers: list('BENCH_WORKERS', quick ? [2] : [1, 2, 4]),
  /**
   * Tasks each worker process runs before the clock starts, for Jobnik and graphile-worker alike: a
   * fleet lives for days, so its steady state is what counts, not the JIT's first second (at N = 20,000
   * that second was half the workers' CPU). 0 measures cold processes.
   */
  warmupPerWorker: num('BENCH_WARMUP_PER_WORKER', quick ? 500 : 2_000),
  /** Tasks per create request, and how many create requests are in flight at once. */
  createChunk: num('BENCH_CREATE_CHUNK', 5_000),
  createConcurrency: num('BENCH_CREATE_CONCURRENCY', 2),
  /**
   * Jobnik worker process settings, its high-throughput configuration as graphile-worker gets its own: a
   * noop handler finishes at once, so concurrency only bounds what one dequeue may ask for. Batches of
   * 1,000 (the API's maximum; dequeue and acks) measured 21,791 vs 16,205 tasks/s for 500 (median of 3,
   * N = 100,000, 4 processes), and 500 ~1.5x the tasks/s of 100.
   */
  worker: {
    concurrency: num('BENCH_WORKER_CONCURRENCY', 2_000),
    maxDequeueBatch: num('BENCH_WORKER_BATCH', 1_000),
    /** WorkerOptions.quietSlots: slots kept for quiet queues (fairness sets 1). */
    quietSlots: num('BENCH_WORKER_QUIET_SLOTS', 0),
    ackMaxBatch: num('BENCH_ACK_BATCH', 1_000),
    ackFlushMs: num('BENCH_ACK_FLUSH_MS', 2),
  },
  /** graphile-worker process settings (its documented high-throughput configuration). */
  peer: {
    concurrency: num('BENCH_PEER_CONCURRENCY', 10),
    localQueueSize: num('BENCH_PEER_LOCAL_QUEUE', 100),
    completeJobBatchDelay: num('BENCH_PEER_BATCH_DELAY_MS', 0),
  },
  managerPoolSize: num('BENCH_MANAGER_POOL', 10),
  pickup: { ratePerSecond: num('BENCH_PICKUP_RATE', 50), samples: num('BENCH_PICKUP_SAMPLES', quick ? 50 : 250), warmup: 20 },
  /** Cancels of a running task, one at a time (each: create, start, cancel, abort). */
  cancel: { samples: num('BENCH_CANCEL_SAMPLES', quick ? 20 : 100), warmup: 5 },
  /** Issue 19: a steady stream drained while one session holds the xmin horizon (seconds per phase, 10 s windows). */
  xmin: {
    warmupS: num('BENCH_XMIN_WARMUP_S', quick ? 10 : 20),
    beforeS: num('BENCH_XMIN_BEFORE_S', quick ? 20 : 60),
    holdS: num('BENCH_XMIN_HOLD_S', quick ? 30 : 300),
    afterS: num('BENCH_XMIN_AFTER_S', quick ? 20 : 60),
    /** Pending tasks kept ahead of the workers; a job of `chunk` tasks is created whenever fewer are left. */
    backlog: num('BENCH_XMIN_BACKLOG', 20_000),
    chunk: num('BENCH_XMIN_CHUNK', 2_000),
    workers: num('BENCH_XMIN_WORKERS', 4),
  },
  /** Issue 21: end-to-end with history on and off (alternating runs), and pruning a big job's history under load. */
  history: {
    tasks: num('BENCH_HISTORY_TASKS', quick ? 5_000 : 50_000),
    workers: num('BENCH_HISTORY_WORKERS', 2),
    repeat: num('BENCH_HISTORY_REPEAT', quick ? 1 : 3),
    pruneTasks: num('BENCH_HISTORY_PRUNE_TASKS', quick ? 10_000 : 100_000),
    hotTasks: num('BENCH_HISTORY_HOT_TASKS', quick ? 5_000 : 30_000),
  },
  backlog: {
    small: num('BENCH_BACKLOG_SMALL', quick ? 5_000 : 10_000),
    large: num('BENCH_BACKLOG_LARGE', quick ? 100_000 : 1_000_000),
    /** Completions ignored at the start of a window (connections warm up), then the window measured. */
    warmup: num('BENCH_BACKLOG_WARMUP', quick ? 500 : 1_000),
    window: num('BENCH_BACKLOG_WINDOW', quick ? 3_000 : 8_000),
    workers: num('BENCH_BACKLOG_WORKERS', 4),
    /** Windows per backlog (each with fresh worker processes; the ratio compares medians): a window lasts ~1 s. */
    repeat: num('BENCH_BACKLOG_REPEAT', quick ? 1 : 5),
    /** Dequeue and ack batch of the backlog workers: small enough that the window spans ~40 dequeues. */
    batch: num('BENCH_BACKLOG_BATCH', 200),
    /**
     * A CHECKPOINT before each window (after the seeding or top-up and its VACUUM): seeding a million rows writes
     * gigabytes of WAL, and the checkpoints it triggers otherwise fell in the large backlog's windows only. 0 = none.
     */
    checkpoint: num('BENCH_BACKLOG_CHECKPOINT', 1) !== 0,
  },
  /**
   * Fairness (issue 20): tenant A's ready backlog, tenant B adding one-task jobs at `bRatePerSecond`; `rounds` times, A is
   * measured alone for `phaseMs`, then with B for `phaseMs`. Worker processes split between 2 manager replicas.
   */
  fairness: {
    backlog: num('BENCH_FAIR_BACKLOG', quick ? 100_000 : 1_000_000),
    bRatePerSecond: num('BENCH_FAIR_B_RATE', 10),
    phaseMs: num('BENCH_FAIR_PHASE_MS', quick ? 2_000 : 10_000),
    rounds: num('BENCH_FAIR_ROUNDS', 3),
    workers: num('BENCH_FAIR_WORKERS', 4),
    batch: num('BENCH_FAIR_BATCH', 200),
  },
  /** The webhook claim (`bench:webhook-claim`): due events of one endpoint at its cap, a size per step. */
  webhookClaim: { due: list('BENCH_WEBHOOK_DUE', quick ? [1_000, 10_000] : [1_000, 10_000, 100_000]), spread: num('BENCH_WEBHOOK_SPREAD', 10_000) },
  /** Idle queues (`bench:idle-queues`): the dequeue of 200 beside the queues of tenants done with the stage type. */
  idleQueues: {
    backlog: num('BENCH_IDLE_BACKLOG', 100_000),
    steps: list('BENCH_IDLE_QUEUES', [1_000, 10_000, 100_000]),
    openJobs: num('BENCH_IDLE_OPEN_JOBS', 0),
  },
  /** Rate limit (issue 20): `limit` starts/s on one stage type over `durationMs`, 4 workers on 2 replicas. */
  rateLimit: {
    limit: num('BENCH_RATE_LIMIT', 500),
    burst: num('BENCH_RATE_BURST', 50),
    durationMs: num('BENCH_RATE_DURATION_MS', quick ? 5_000 : 30_000),
    backlog: num('BENCH_RATE_BACKLOG', quick ? 20_000 : 60_000),
    workers: num('BENCH_RATE_WORKERS', 4),
  },
};

/** The targets of issue 9 on this 2-core machine (local PostgreSQL, synchronous_commit on). */
export const targets = {
  e2eTasksPerSecond4Workers: { op: '>=', value: 20_000 },
  ratioOverGraphile: { op: '>=', value: 1.3 },
  pickupP50Ms: { op: '<=', value: 5 },
  pickupP99Ms: { op: '<=', value: 25 },
  /** Issue 15: cancel → ctx.signal with the worker's default options. */
  cancelToSignalP99Ms: { op: '<=', value: 1_000 },
  backlogRatio: { op: '>=', value: 0.9 },
  xminHoldRatio: { op: '>=', value: 0.7 },
  xminHoldWorstWindow: { op: '>=', value: 0.5 },
  managerRssMb: { op: '<=', value: 200 },
  pgliteTasksPerSecond: { op: '>=', value: 2_000 },
  /** Issue 20: a small tenant's pickup behind a big backlog, and the big tenant's throughput kept. */
  fairPickupP99Ms: { op: '<=', value: 50 },
  fairThroughputRatio: { op: '>=', value: 0.9 },
  /** Issue 20: achieved starts/s within ±5 % of the limit (absolute deviation). */
  rateLimitDeviation: { op: '<=', value: 0.05 },
  /** Issue 21: history costs at most 10 % of end-to-end throughput. */
  historyCostPercent: { op: '<=', value: 10 },
  /** Issue 21: while retention prunes a 100k-task job's history, the hot path keeps ≥ 80 % of its throughput. */
  hotPathDuringPruneRatio: { op: '>=', value: 0.8 },
} satisfies Record<string, Target>;
