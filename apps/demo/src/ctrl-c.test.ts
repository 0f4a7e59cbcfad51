// Ctrl-C on `pnpm start` and `pnpm manager`, as a terminal sends it: SIGINT to the whole process group (pnpm, the
// shells of its scripts, node). The system stops and the command ends with status 0, not pnpm's
// "ELIFECYCLE Command failed with signal SIGINT" of a process killed by the signal.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@jobnik/manager/testing';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('Ctrl-C on the root commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jobnik-ctrl-c-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['pnpm start', 'start', /API docs\s+(http:\/\/\S+)\/docs/, true],
    // The demo's first line comes before its worker and its job: a Ctrl-C there stops a demo that is starting.
    ['pnpm start, while it starts', 'start', /Jobnik manager\s+(http:\/\/\S+)/, false],
    ['pnpm manager', 'manager', /"url":"(http:\/\/[^"]+)"/, true],
  ])('%s stops with status 0 and no pnpm error', { timeout: 150_000 }, async (name, script, urlLine, started) => {
    // A user's environment: no variables of the pnpm that runs this test, a free port, stores of its own.
    const data = join(dir, name.replace(/\W+/g, '-'));
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, JOBNIK_PORT: '0', JOBNIK_DEMO_DATA_DIR: join(data, 'demo'), JOBNIK_PGLITE_DIR: join(data, 'pglite') };
    const child = spawn('pnpm', [script], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      const url = await waitFor(() => urlLine.exec(out)?.[1], { timeoutMs: 90_000, message: `${script} to listen; output: ${out}` });
      if (started) expect((await fetch(`${url}/health/ready`)).status).toBe(200);
      process.kill(-child.pid!, 'SIGINT'); // the terminal's Ctrl-C: every process of the group
      expect(await exited, out).toEqual({ code: 0, signal: null });
      expect(out).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
    } finally {
      // Whatever is left of the group when an assertion failed (ESRCH: the group is already gone).
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // nothing left to stop
      }
    }
  });
});
