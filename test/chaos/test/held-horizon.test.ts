// Chaos under a held xmin horizon: while an idle-in-transaction session keeps every dead row version (a forgotten
// psql session, a long report), workers are SIGKILLed and the manager restarts. The dead versions of every lease,
// ack and retry stay in the tasks table and its indexes, and the dequeue's scan marks skip them — so this is where a
// retried task that became ready behind a mark, or a lease the sweeper took back, could be skipped for good.
import { describe, expect, it } from 'vitest';
import { testStores } from '@jobnik/manager/testing';
import { runChaos } from '../src/chaos-run.js';

// The embedded store has one session: nothing else can hold a transaction open beside the manager.
describe.skipIf(!testStores().includes('postgres'))('chaos under a held xmin horizon', () => {
  it('loses no task and completes none twice while workers are SIGKILLed and the manager restarts', async () => {
    const report = await runChaos({
      jobs: 2,
      tasksPerJob: 500,
      stages: 2,
      workers: 4,
      concurrency: 4,
      taskMs: '20-40',
      killEveryMs: 1_000,
      maxKills: 4,
      managerRestarts: 1,
      postgresRestarts: 0,
      holdHorizon: true,
      leaseMs: 3_000,
      sweepIntervalMs: 500,
      maxAttempts: 10,
      deadlineMs: 180_000,
      keep: 'never',
    });
    expect(report.problems).toEqual([]);
    expect(report.horizonHeld).toBe(true);
    expect(report.lost).toBe(0);
    expect(report.doubleCompletions).toBe(0);
    expect(report.statusCounts).toEqual({ COMPLETED: report.tasks });
    // The disruptions happened, and tasks came back for another attempt (a killed worker's lease taken back).
    expect(report.kills).toBeGreaterThan(0);
    expect(report.managerRestarts).toBe(1);
    expect(report.maxAttemptsUsed).toBeGreaterThan(1);
  }, 240_000);
});
