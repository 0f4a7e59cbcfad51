// PostgreSQL crashes mid-run and stays down for a while (on a cluster of the test's own: the machine's is shared with
// other suites). Commits in flight are cut off — an ack the database may or may not have applied — workers are
// SIGKILLed and the manager restarts as in the short run. The manager must stay up and say what is going on (live,
// not ready, 503 UNAVAILABLE), come back by itself, and lose nothing nor complete anything twice.
import { describe, expect, it } from 'vitest';
import { testStores } from '@jobnik/manager/testing';
import { runChaos, SHORT_CHAOS } from '../src/chaos-run.js';

describe.skipIf(!testStores().includes('postgres'))('chaos across a PostgreSQL crash and an outage of several seconds', () => {
  it('answers 503 while the database is down, recovers by itself, loses no task and completes none twice', async () => {
    const report = await runChaos({ ...SHORT_CHAOS, postgresOutage: { mode: 'immediate', downMs: 6_000 } });
    expect(report.problems).toEqual([]);
    expect(report.postgresOutages).toBe(1);
    // While it was down: the process lived, was not ready, and answered the API with a retryable 503.
    expect(report.outageAnswers).toEqual(['api 503 UNAVAILABLE', 'live 200', 'ready 503']);
    expect(report.managerCrashes).toBe(0);
    expect(report.lost).toBe(0);
    expect(report.doubleCompletions).toBe(0);
    expect(report.statusCounts).toEqual({ COMPLETED: report.tasks });
    expect(report.managerRestarts).toBe(1);
    expect(report.kills).toBeGreaterThan(0);
  }, 240_000);
});
