// A manager replica frozen (SIGSTOP) in the middle of a transaction — what a paused VM or container, a node under
// memory pressure or a network partition does: PostgreSQL ends its session once it has sat idle in the transaction for
// JOBNIK_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS, so the rows it locked are free for the other replicas again and nothing
// of its half-done work is kept; thawed, the replica answers that request 503 and serves the next one.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testStores, waitFor, type TestDatabase } from '@jobnik/manager/testing';
import { ManagerProcess, freePort } from '../src/manager-process.js';

describe.runIf(testStores().includes('postgres'))('a manager frozen mid-transaction', () => {
  let db: TestDatabase;
  let manager: ManagerProcess;
  let side: pg.Client;
  let observer: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    manager = new ManagerProcess({ databaseUrl: db.url, port: await freePort(), env: { JOBNIK_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1000' } });
    await manager.start();
    side = new pg.Client({ connectionString: db.url });
    observer = new pg.Client({ connectionString: db.url });
    await side.connect();
    await observer.connect();
  });
  afterAll(async () => {
    if (manager?.running) manager.signal('SIGCONT');
    await manager?.stop('SIGKILL');
    await side?.end();
    await observer?.end();
    await db?.drop();
  });

  const post = (path: string, body?: unknown) =>
    fetch(`${manager.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });

  it('loses that transaction: its locks are released within the timeout, and thawed it answers 503, then serves', async () => {
    const job = (await (await post('/jobs', { name: 'frozen-manager', stages: [{ type: 'fm', tasks: [{}, {}] }] })).json()) as { id: string };
    // Hold the job's row, so the manager's cancel transaction stops at its first statement…
    await side.query('BEGIN');
    await side.query('SELECT id FROM jobs WHERE id = $1 FOR UPDATE', [job.id]);
    const cancel = post(`/jobs/${job.id}/cancel`);
    cancel.catch(() => undefined); // awaited below; a failed run must not also report it unhandled
    const waiting = await waitFor(
      async () => (await observer.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0] as { pid: number } | undefined,
      { message: "the manager's cancel waiting on the job's row" },
    );
    // …freeze the manager there, and let its statement through: the job row is now the frozen transaction's.
    manager.signal('SIGSTOP');
    await side.query('ROLLBACK');
    await waitFor(
      async () => {
        const rows = (await observer.query(`SELECT state FROM pg_stat_activity WHERE pid = $1`, [waiting.pid])).rows;
        return rows.length === 0 || rows[0].state === 'idle in transaction';
      },
      { message: "the frozen manager's session idle in its transaction" },
    );

    // PostgreSQL ends that session: another writer gets the row, and the job is as it was.
    await waitFor(
      async () => {
        await side.query('BEGIN');
        try {
          await side.query('SELECT id FROM jobs WHERE id = $1 FOR UPDATE NOWAIT', [job.id]);
          return true;
        } catch (err) {
          if ((err as { code?: string }).code !== '55P03') throw err;
          return false;
        } finally {
          await side.query('ROLLBACK');
        }
      },
      { timeoutMs: 15_000, message: "the job's row free again while the manager is still frozen" },
    );
    expect((await observer.query(`SELECT pid FROM pg_stat_activity WHERE pid = $1`, [waiting.pid])).rows).toEqual([]);
    expect((await observer.query('SELECT status FROM jobs WHERE id = $1', [job.id])).rows).toEqual([{ status: 'PENDING' }]);

    // Thawed: the request that used the session is answered 503 with nothing of it kept; the next one is served.
    manager.signal('SIGCONT');
    const res = await cancel;
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe('UNAVAILABLE');
    expect((await observer.query('SELECT status FROM jobs WHERE id = $1', [job.id])).rows).toEqual([{ status: 'PENDING' }]);
    const retried = await post(`/jobs/${job.id}/cancel`);
    expect([retried.status, ((await retried.json()) as { status: string }).status]).toEqual([200, 'ABORTED']);
  });
});
