// The xmin horizon at /metrics: on PostgreSQL each scrape reads how long, and by how many transaction ids, another
// session has held the database's horizon — a transaction idle after taking an id, a snapshot kept by a
// repeatable-read transaction — and reads ~0 again once it ends; a role that may not see the holder's start still
// sees it age; the embedded store has no other session and no gauge.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PgDb } from '../src/db/pg-db.js';
import { XminHorizonWatch } from '../src/services/xmin-horizon-watch.js';
import { waitFor } from '../src/testing.js';
import { useManager, useManagerWithSideClients } from './fixtures.js';

const gauge = (text: string, name: string) => {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
};

describe('the xmin horizon gauges on PostgreSQL', () => {
  const t = useManagerWithSideClients();
  const scrape = async () => (await t.a.get<string>('/metrics')).body;
  /** Scrapes until the horizon's age in seconds satisfies `ok`; returns that scrape. */
  const untilAge = (ok: (seconds: number) => boolean, message: string) =>
    waitFor(async () => {
      const text = await scrape();
      const s = gauge(text, 'jobnik_db_xmin_horizon_age_seconds');
      return s !== null && ok(s) ? text : null;
    }, { timeoutMs: 15_000, intervalMs: 100, message });

  it('reads a fraction of a second while only the manager works', async () => {
    await t.a.post('/jobs', { name: 'xh', stages: [{ type: 'xh-idle', tasks: [{}] }] });
    const text = await scrape();
    expect(gauge(text, 'jobnik_db_xmin_horizon_age_seconds')).toBeLessThan(1);
    expect(gauge(text, 'jobnik_db_xmin_horizon_age_transactions')).not.toBeNull();
  });

  it('counts a transaction idle after taking an id from when it began, and the ids taken since', async () => {
    await t.side.query('BEGIN');
    try {
      await t.side.query('SELECT txid_current()');
      const held = await untilAge((s) => s >= 1.5, 'the held transaction counted');
      expect(gauge(held, 'jobnik_db_xmin_horizon_age_seconds')).toBeLessThan(15);
      // Writes through the manager take ids of their own; the horizon stays at the held one.
      for (let i = 0; i < 3; i++) await t.a.post('/jobs', { name: 'xh', stages: [{ type: 'xh-held', tasks: [{}] }] });
      expect(gauge(await scrape(), 'jobnik_db_xmin_horizon_age_transactions')).toBeGreaterThanOrEqual(3);
    } finally {
      await t.side.query('COMMIT');
    }
    await untilAge((s) => s < 1, 'the horizon released');
  });

  it('counts a repeatable-read snapshot that took no id', async () => {
    await t.side.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      await t.side.query('SELECT count(*) FROM jobs');
      await untilAge((s) => s >= 1.5, 'the snapshot counted');
    } finally {
      await t.side.query('COMMIT');
    }
    await untilAge((s) => s < 1, 'the horizon released');
  });
});

describe('the xmin horizon seen by a role without pg_monitor', () => {
  const t = useManagerWithSideClients();

  it('dates a holder whose start it may not see from when it first found it, and forgets it once it ends', async () => {
    // A plain login role (roles are cluster-wide: a unique name, dropped after): it sees other roles' sessions'
    // backend_xid and backend_xmin, not their xact_start.
    const role = `jobnik_plain_${randomBytes(4).toString('hex')}`;
    await t.observer.query(`CREATE ROLE ${role} LOGIN`);
    const url = new URL(t.m.databaseUrl!);
    url.username = role;
    const db = new PgDb({ url: url.toString(), poolSize: 1, logger: pino({ level: 'silent' }) });
    try {
      const watch = new XminHorizonWatch(db);
      await t.side.query('BEGIN');
      try {
        const { rows } = await t.side.query<{ pid: number }>('SELECT txid_current(), pg_backend_pid() AS pid');
        const hidden = await db.query<{ start: Date | null }>('SELECT xact_start AS start FROM pg_stat_activity WHERE pid = $1', [rows[0]!.pid]);
        expect(hidden[0]!.start).toBeNull();
        const first = await watch.read();
        expect(first.holderAgeSeconds).toBeLessThan(1);
        expect(first.ageTransactions).toBeGreaterThanOrEqual(1);
        await waitFor(async () => (await watch.read()).holderAgeSeconds >= 1.5, { timeoutMs: 15_000, intervalMs: 100, message: 'the hidden holder aged' });
      } finally {
        await t.side.query('COMMIT');
      }
      expect((await watch.read()).holderAgeSeconds).toBeLessThan(1);
      // A new transaction of the same session is a new holder: dated afresh.
      await t.side.query('BEGIN');
      try {
        await t.side.query('SELECT txid_current()');
        expect((await watch.read()).holderAgeSeconds).toBeLessThan(1);
      } finally {
        await t.side.query('COMMIT');
      }
    } finally {
      await db.close();
      await t.observer.query(`DROP ROLE ${role}`);
    }
  });
});

describe('the embedded store', () => {
  const t = useManager('pglite');

  it('has no xmin horizon gauges: its one session is the manager’s own', async () => {
    const text = (await t.a.get<string>('/metrics')).body;
    expect(text).toContain('jobnik_queue_depth');
    expect(text).not.toContain('jobnik_db_xmin_horizon');
  });
});
