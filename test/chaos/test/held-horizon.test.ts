// Chaos under a held xmin horizon: while an idle-in-transaction session keeps every dead row version (a forgotten
// psql session, a long report), workers are SIGKILLed and the manager restarts. The dead versions of every lease,
// ack and retry stay in the tasks table and its indexes, and the dequeue's scan marks skip them — so this is where a
// retried task that became ready behind a mark, or a lease the sweeper took back, could be skipped for good.
import { describe, expect, it } from 'vitest';
import { testStores } from '@jobnik/manager/testing';
import { runChaos, SHORT_CHAOS } from '../src/chaos-run.js';

// The embedded store has one session: nothing else can hold a transaction open beside the manager.
describe.skipIf(!testStores().includes('postgres'))('chaos under a held xmin horizon', () => {
  it('loses no task and completes none twice while workers are SIGKILLed and the manager restarts', async () => {
    const report = await runChaos({ ...SHORT_CHAOS, holdHorizon: true });
    expect(report.problems).toEqual([]);
    expect(report.horizonHeld).toBe(true);
    expect(report.lost).toBe(0);
    expect(report.doubleCompletions).toBe(0);
    expect(report.statusCounts).toEqual({ COMPLETED: report.tasks });
    // The disruptions happened (whether a kill lands on a worker holding leases is up to timing, as in the short run).
    expect(report.kills).toBeGreaterThan(0);
    expect(report.managerRestarts).toBe(1);
  }, 240_000);
});
