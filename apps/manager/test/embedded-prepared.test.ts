// Named statements on the embedded store run as prepared statements of its one backend (parsed and described once,
// then bound and executed): the same rows as an unnamed query, errors with their SQLSTATE, a failed parse that does
// not take the name, transactions that see their own writes, and concurrent callers that never share a protocol
// exchange.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statement } from '../src/db/db.js';
import { PgliteDb } from '../src/db/pglite-db.js';

let db: PgliteDb;
beforeAll(async () => {
  db = await PgliteDb.open('memory://');
  await db.exec('CREATE TABLE probe (id int PRIMARY KEY, note text)');
});
afterAll(() => db.close());

const prepared = async () => (await db.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).map((r) => r.name);

describe('named statements on the embedded store', () => {
  it('return the same rows, types included, as the same text run unnamed, and are prepared once', async () => {
    const sql = `SELECT $1::int AS i, $2::bigint AS b, $3::timestamptz AS t, $4::jsonb AS j, $5::text[] AS a, $6::uuid AS u,
                        $7::boolean AS f, $8::float8 AS x, NULL::text AS n, $9::text AS s`;
    const params = [7, '9007199254740993', '2026-12-04T10:11:12.345Z', JSON.stringify({ a: [1, 'two'] }), ['x', 'y,z', 'q"r'], 'e3b0c442-98fc-4c14-9afb-f4c8996fb924', true, 0.5, null];
    const st = statement('probe_types', sql);
    const named = await db.query(st, params);
    expect(named).toEqual(await db.query(sql, params));
    expect(named[0]).toMatchObject({ i: 7, t: new Date('2026-12-04T10:11:12.345Z'), j: { a: [1, 'two'] }, a: ['x', 'y,z', 'q"r'], f: true, n: null, s: null });
    expect(await db.query(st, [1, '2', '2026-01-01T00:00:00Z', '1', [], 'e3b0c442-98fc-4c14-9afb-f4c8996fb924', false, 1, 'again'])).toMatchObject([{ i: 1, f: false, s: 'again', a: [] }]);
    expect((await prepared()).filter((n) => n === 'probe_types')).toEqual(['probe_types']);
  });

  it('refuse a name given a second, different text (the backend would run the first)', () => {
    expect(statement('probe_once', 'SELECT 1 AS one')).toEqual({ name: 'probe_once', text: 'SELECT 1 AS one' });
    expect(statement('probe_once', 'SELECT 1 AS one')).toEqual({ name: 'probe_once', text: 'SELECT 1 AS one' });
    expect(() => statement('probe_once', 'SELECT 2 AS two')).toThrow('statement probe_once is already defined with another text');
  });

  it('report a constraint violation with its SQLSTATE and run again afterwards', async () => {
    const insert = statement('probe_insert', 'INSERT INTO probe (id, note) VALUES ($1, $2) RETURNING id, note');
    expect(await db.query(insert, [1, 'first'])).toEqual([{ id: 1, note: 'first' }]);
    await expect(db.query(insert, [1, 'again'])).rejects.toMatchObject({ code: '23505' });
    expect(await db.query(insert, [2, 'second'])).toEqual([{ id: 2, note: 'second' }]);
  });

  it('run inside a transaction: they see its writes, and an error rolls back all of it', async () => {
    const insert = statement('probe_insert_tx', 'INSERT INTO probe (id, note) VALUES ($1, $2)');
    const read = statement('probe_read', 'SELECT note FROM probe WHERE id = $1');
    const seen = await db.transaction(async (tx) => {
      await tx.query(insert, [10, 'inside']);
      return tx.query(read, [10]);
    });
    expect(seen).toEqual([{ note: 'inside' }]);
    await expect(
      db.transaction(async (tx) => {
        await tx.query(insert, [11, 'rolled back']);
        await tx.query(insert, [10, 'duplicate']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await db.query(read, [11])).toEqual([]);
    expect(await db.query(read, [10])).toEqual([{ note: 'inside' }]);
  });

  it('do not keep the name of a statement that failed to parse: it runs once what it reads exists', async () => {
    const st = statement('probe_later', 'SELECT count(*)::int AS n FROM probe_later_table');
    await expect(db.query(st)).rejects.toMatchObject({ code: '42P01' });
    await expect(db.query(st)).rejects.toMatchObject({ code: '42P01' });
    await db.exec('CREATE TABLE probe_later_table (x int); INSERT INTO probe_later_table VALUES (1), (2)');
    expect(await db.query(st)).toEqual([{ n: 2 }]);
  });

  it('answer each concurrent caller with its own rows, beside a transaction in flight', async () => {
    const echo = statement('probe_echo', 'SELECT $1::int AS v, pg_sleep(0) IS NULL AS slept');
    const tx = db.transaction(async (t) => {
      await t.query(statement('probe_insert_tx', 'INSERT INTO probe (id, note) VALUES ($1, $2)'), [20, 'tx']);
      return (await t.query<{ v: number }>(echo, [-1]))[0]!.v;
    });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => db.query<{ v: number }>(echo, [i])));
    expect(answers.map((r) => r[0]!.v)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(await tx).toBe(-1);
  });

  it('are refused with a clear error once the store is closed, as unnamed queries are', async () => {
    const other = await PgliteDb.open('memory://');
    const st = statement('probe_closed', 'SELECT $1::int AS v');
    expect(await other.query(st, [1])).toEqual([{ v: 1 }]);
    await other.close();
    await expect(other.query('SELECT 1')).rejects.toThrow(/closed/i);
    await expect(other.query(st, [2])).rejects.toThrow(/closed/i);
  });
});
