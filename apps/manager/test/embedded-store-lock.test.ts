// The embedded store's directory belongs to one process: PGlite takes no lock of its own, and a second process
// opening it (a second `pnpm start`, `migrate` while `serve` runs) would write beside the first and corrupt it. The
// second one must stop in one line naming the holder; a holder that is gone must not block the next start.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startManager } from '../src/server.js';
import { api } from './api.js';
import { runManager, spawnManager } from './manager-cli.js';

const base = mkdtempSync(join(tmpdir(), 'jobnik-store-lock-'));
const env = (dir: string) => ({ DATABASE_URL: '', JOBNIK_PGLITE_DIR: dir, JOBNIK_PORT: '0', JOBNIK_HOST: '127.0.0.1', JOBNIK_LOG_LEVEL: 'warn' });

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A manager process on `dir`, once it listens. */
async function serve(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const m = spawnManager(env(dir));
  children.push(m.child);
  return { child: m.child, url: await m.listening() };
}

const runAlongside = (command: 'serve' | 'migrate', dir: string) => runManager(command, env(dir));

const exited = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));

describe('the embedded store is one process’s', () => {
  it('refuses a second `serve` and a `migrate` on a directory a manager holds, naming it; the first serves on, its data intact', async () => {
    const dir = join(base, 'held');
    const first = await serve(dir);
    const http = api(first.url);
    const job = await http.post('/jobs', { name: 'kept', stages: [{ type: 'lock', tasks: [{}, {}] }] });
    expect(job.status).toBe(201);

    const holder = JSON.parse(readFileSync(`${dir}.lock`, 'utf8')) as { pid: number; hostname: string; since: string };
    expect(holder.pid).toBe(first.child.pid);
    for (const command of ['serve', 'migrate'] as const) {
      const second = runAlongside(command, dir);
      expect(second.status, command).toBe(1);
      expect(second.stderr, command).toBe(
        `jobnik-manager: cannot start: the embedded store ${dir} is in use by another process (pid ${holder.pid} on ${holder.hostname}, since ${holder.since}): stop it, or give this one a store of its own (JOBNIK_PGLITE_DIR). If no Jobnik manager runs as that process, delete ${dir}.lock`,
      );
    }
    const after = await http.get(`/jobs/${job.body.id}`);
    expect([after.status, after.body.summary.total]).toEqual([200, 2]);

    // A clean stop gives the directory up.
    first.child.kill('SIGTERM');
    await exited(first.child);
    expect(first.child.exitCode).toBe(0);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('takes over from a holder that was killed (its lock left behind), and finds the data it wrote', async () => {
    const dir = join(base, 'killed');
    const first = await serve(dir);
    const job = await api(first.url).post('/jobs', { name: 'survives', stages: [{ type: 'lock', tasks: [{}] }] });
    expect(job.status).toBe(201);
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(JSON.parse(readFileSync(`${dir}.lock`, 'utf8')).pid).toBe(first.child.pid);

    const next = await serve(dir);
    expect(JSON.parse(readFileSync(`${dir}.lock`, 'utf8')).pid).toBe(next.child.pid);
    const read = await api(next.url).get(`/jobs/${job.body.id}`);
    expect([read.status, read.body.name]).toEqual([200, 'survives']);
  });

  it('refuses to open a directory twice in one process (an embedding application), and opens it again once closed', async () => {
    const dir = join(base, 'embedded');
    const config = { http: { host: '127.0.0.1', port: 0 }, database: { url: '', pgliteDir: dir }, log: { level: 'silent' as const } };
    const m = await startManager(config);
    await expect(startManager(config)).rejects.toThrow(`the embedded store ${dir} is already open in this process`);
    await m.close();
    const again = await startManager(config);
    expect((await api(again.url).get('/health/ready')).status).toBe(200);
    await again.close();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });
});
