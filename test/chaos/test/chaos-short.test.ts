// The short chaos run for CI: 1,000 tasks, 4 worker processes, a worker SIGKILLed every second (a few times)
// and one manager restart. PostgreSQL is left alone: other suites share it.
import { describe, expect, it } from 'vitest';
import { testStores } from '@jobnik/manager/testing';
import { runChaos } from '../src/chaos-run.js';

// The run needs PostgreSQL (the manager is a separate process); JOBNIK_TEST_STORES=pglite skips it.
describe.skipIf(!testStores().includes('postgres'))('chaos (short)', () => {
  it('loses no task and completes none twice while workers are SIGKILLed and the manager restarts', async () => {
    const report = await runChaos({
      jobs: 2,
      tasksPerJob: 500,
      stages: 2,
      workers: 4,
      concurrency: 4,
      // Long enough that the kills and the restart land while work is in flight.
      taskMs: '20-40',
      killEveryMs: 1_000,
      maxKills: 4,
      managerRestarts: 1,
      postgresRestarts: 0,
      leaseMs: 3_000,
      sweepIntervalMs: 500,
      maxAttempts: 10,
      deadlineMs: 180_000,
      keep: 'never',
    });
    expect(report.problems).toEqual([]);
    expect(report.lost).toBe(0);
    expect(report.doubleCompletions).toBe(0);
    expect(report.statusCounts).toEqual({ COMPLETED: 1_000 });
    expect(report.managerRestarts).toBe(1);
    expect(report.kills).toBeGreaterThan(0);
    expect(report.duplicateExecutions).toBeGreaterThanOrEqual(0);
  });
});
