// Reproduction (not part of the suite): the manager must survive PostgreSQL terminating its connections
// (a restart, a failover, pg_terminate_backend). This terminates only the backends of a throwaway database,
// so nobody else on the machine is disturbed. Prints one JSON line; exits 1 if the manager process died.
//   pnpm --filter @jobnik/chaos-tests repro:terminated-connections
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { createTestDatabase, TEST_PG_ADMIN_URL, waitFor } from '@jobnik/manager/testing';
import { ProducerClient } from '@jobnik/sdk';
import { killAllChildren, killChildrenOnSignals } from './children.js';
import { countExecutions } from './execution-log.js';
import { freePort, ManagerProcess } from './manager-process.js';
import { WorkerPool } from './worker-pool.js';

killChildrenOnSignals();
const ROUNDS = 20;
const db = await createTestDatabase();
const dbName = new URL(db.url).pathname.slice(1);
const logDir = mkdtempSync(join(tmpdir(), 'jobnik-repro-'));
const manager = new ManagerProcess({ databaseUrl: db.url, port: await freePort() });
const producer = new ProducerClient({ baseUrl: manager.url });
const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
let rounds = 0;
let died: string | null = null;
try {
  await manager.start();
  await producer.createJob('repro', { stages: [{ type: 'chaos-a', tasks: Array.from({ length: 5_000 }, (_, i) => ({ data: { i } })) }] });
  const pool = new WorkerPool({ url: manager.url, logDir, stageTypes: ['chaos-a'], taskMs: '1-3', concurrency: 8 });
  pool.start(2);
  await waitFor(() => countExecutions(logDir) > 200, { timeoutMs: 60_000, message: 'work under way' });
  await admin.connect();
  for (; rounds < ROUNDS && manager.running; rounds++) {
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName]);
    await delay(300); // the disruption schedule is timed, like the kill schedule of the chaos run
  }
  if (!manager.running) died = manager.output().slice(-1_500);
} finally {
  killAllChildren();
  await admin.end().catch(() => undefined);
  await producer.close();
  await db.drop().catch(() => undefined);
  rmSync(logDir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify({ rounds, managerDied: died !== null })}\n`);
if (died) process.stderr.write(`manager output:\n${died}\n`);
process.exitCode = died ? 1 : 0;
