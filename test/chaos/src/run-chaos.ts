// The long chaos run, on demand: `pnpm --filter @jobnik/chaos-tests chaos`. Prints progress to stderr and one
// JSON line to stdout; exits 1 when a task was lost or completed twice (or anything else was wrong).
// Sizes can be changed by environment (CHAOS_JOBS, CHAOS_TASKS_PER_JOB, CHAOS_WORKERS, ...; see README.md).
import { runChaos } from './chaos-run.js';
import { killAllChildren, killChildrenOnSignals } from './children.js';

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return v;
};

/** CHAOS_POSTGRES_OUTAGE=fast:10000 or immediate:10000 — a stop of that kind, that many ms, on a cluster of the run's own. */
function outage(raw: string): { mode: 'fast' | 'immediate'; downMs: number } {
  const m = /^(fast|immediate):(\d+)$/.exec(raw);
  if (!m) throw new Error(`CHAOS_POSTGRES_OUTAGE must be fast:<ms> or immediate:<ms>, got ${raw}`);
  return { mode: m[1] as 'fast' | 'immediate', downMs: Number(m[2]) };
}

killChildrenOnSignals();
try {
  const report = await runChaos({
    jobs: num('CHAOS_JOBS', 10),
    tasksPerJob: num('CHAOS_TASKS_PER_JOB', 1_000),
    stages: num('CHAOS_STAGES', 2) === 1 ? 1 : 2,
    workers: num('CHAOS_WORKERS', 8),
    concurrency: num('CHAOS_CONCURRENCY', 4),
    taskMs: process.env.CHAOS_TASK_MS ?? '3-8',
    killEveryMs: num('CHAOS_KILL_EVERY_MS', 2_000),
    maxKills: num('CHAOS_MAX_KILLS', 200),
    managerRestarts: num('CHAOS_MANAGER_RESTARTS', 2),
    postgresRestarts: process.env.CHAOS_POSTGRES_OUTAGE ? 0 : num('CHAOS_POSTGRES_RESTARTS', 1) > 0 ? 1 : 0,
    ...(process.env.CHAOS_POSTGRES_OUTAGE ? { postgresOutage: outage(process.env.CHAOS_POSTGRES_OUTAGE) } : {}),
    leaseMs: num('CHAOS_LEASE_MS', 3_000),
    sweepIntervalMs: num('CHAOS_SWEEP_INTERVAL_MS', 500),
    maxAttempts: num('CHAOS_MAX_ATTEMPTS', 10),
    ...(process.env.CHAOS_PORT ? { port: num('CHAOS_PORT', 0) } : {}),
    deadlineMs: num('CHAOS_DEADLINE_MS', 15 * 60_000),
    keep: process.env.CHAOS_KEEP === '1' ? 'always' : 'on-failure',
    log: (m) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${m}\n`),
  });
  const { problems, ...line } = report;
  for (const p of problems) process.stderr.write(`PROBLEM: ${p}\n`);
  process.stdout.write(`${JSON.stringify(line)}\n`);
  process.exitCode = report.lost !== 0 || report.doubleCompletions !== 0 || problems.length > 0 ? 1 : 0;
} catch (err) {
  console.error(err);
  killAllChildren();
  process.exitCode = 2;
}
