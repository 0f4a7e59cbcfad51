// The xmin horizon at /metrics: on PostgreSQL each scrape reads how long, and by how many transaction ids, another
// session has held the database's horizon — a transaction idle after taking an id, a snapshot kept by a
// repeatable-read transaction — and reads ~0 again once it ends; the embedded store has no other session and no gauge.
import { describe, expect, it } from 'vitest';
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

describe('the embedded store', () => {
  const t = useManager('pglite');

  it('has no xmin horizon gauges: its one session is the manager’s own', async () => {
    const text = (await t.a.get<string>('/metrics')).body;
    expect(text).toContain('jobnik_queue_depth');
    expect(text).not.toContain('jobnik_db_xmin_horizon');
  });
});
