// The embedded store on a real directory: created on first start (in a child process, so the manager does not
// keep initdb's memory), reopened with its data on the next, refused with a clear message when the directory
// holds something else, and its buffer cache sized by configuration.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { PgliteDb } from '../src/db/pglite-db.js';
import { startTestManager } from '../src/testing.js';
import { api } from './api.js';

const root = mkdtempSync(join(tmpdir(), 'jobnik-embedded-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('embedded PGlite store on a directory', () => {
  it('creates the store in an empty directory and finds its jobs again after a restart', async () => {
    const dir = join(root, 'store');
    mkdirSync(dir);
    const first = await startTestManager({ store: 'pglite', config: { database: { pgliteDir: dir } } });
    const created = await api(first.url).post('/jobs', { name: 'kept', stages: [{ type: 'x', tasks: [{ data: { n: 1 } }] }] });
    expect(created.status).toBe(201);
    await first.close();
    expect(readdirSync(root).filter((f) => f.includes('.initdb-'))).toEqual([]); // no scratch left beside it

    const second = await startTestManager({ store: 'pglite', config: { database: { pgliteDir: dir } } });
    try {
      const job = await api(second.url).get(`/jobs/${created.body.id}`);
      expect(job.status).toBe(200);
      expect(job.body.name).toBe('kept');
    } finally {
      await second.close();
    }
  });

  it('creates a directory that does not exist yet, parents included', async () => {
    const dir = join(root, 'a', 'b', 'store');
    const db = await PgliteDb.open(dir);
    try {
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('refuses a directory that holds other files, naming it, and leaves the files alone', async () => {
    const dir = join(root, 'not-a-store');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await expect(PgliteDb.open(dir)).rejects.toThrow(`${dir} is neither empty nor a PGlite data directory`);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('sizes the buffer cache from database.pgliteSharedBuffers', async () => {
    const dir = join(root, 'sized');
    const db = await PgliteDb.open(dir, { sharedBuffers: '8MB' });
    try {
      expect(await db.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '8MB' }]);
    } finally {
      await db.close();
    }
    expect(loadConfig({}, {}).database.pgliteSharedBuffers).toBe('16MB');
    expect(() => loadConfig({}, { JOBNIK_PGLITE_SHARED_BUFFERS: "16MB'; fsync = off" })).toThrow(/PostgreSQL memory size/);
  });

  it('runs on either WebAssembly compiler of database.pgliteWasmCompiler (baseline by default) and refuses another', async () => {
    for (const wasmCompiler of ['optimizing', 'baseline'] as const) {
      const db = await PgliteDb.open(join(root, `compiled-${wasmCompiler}`), { wasmCompiler });
      try {
        await db.exec('CREATE TABLE t (n int)');
        await db.query('INSERT INTO t SELECT generate_series(1, 1000)');
        expect(await db.query('SELECT sum(n)::int AS s FROM t')).toEqual([{ s: 500_500 }]);
      } finally {
        await db.close();
      }
    }
    expect(loadConfig({}, {}).database.pgliteWasmCompiler).toBe('baseline');
    expect(() => loadConfig({}, { JOBNIK_PGLITE_WASM_COMPILER: 'turbo' })).toThrow(/pgliteWasmCompiler/);
  });
});
