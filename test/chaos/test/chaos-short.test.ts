// The short chaos run for CI: 1,000 tasks, 4 worker processes, a worker SIGKILLed every second (a few times)
// and one manager restart. PostgreSQL is left alone: other suites share it.
import { describe, expect, it } from 'vitest';
import { testStores } from '@jobnik/manager/testing';
import { runChaos, SHORT_CHAOS } from '../src/chaos-run.js';

// The run needs PostgreSQL (the manager is a separate process); JOBNIK_TEST_STORES=pglite skips it.
describe.skipIf(!testStores().includes('postgres'))('chaos (short)', () => {
  it('loses no task and completes none twice while workers are SIGKILLed and the manager restarts', async () => {
    const report = await runChaos(SHORT_CHAOS);
    expect(report.problems).toEqual([]);
    expect(report.lost).toBe(0);
    expect(report.doubleCompletions).toBe(0);
    expect(report.statusCounts).toEqual({ COMPLETED: 1_000 });
    expect(report.managerRestarts).toBe(1);
    expect(report.kills).toBeGreaterThan(0);
    expect(report.duplicateExecutions).toBeGreaterThanOrEqual(0);
  });
});
