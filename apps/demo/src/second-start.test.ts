// `pnpm start` run again while the demo runs (a forgotten terminal): the second one must not open the first one's
// embedded store — that would corrupt it — and says why in one line instead of a stack trace.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@jobnik/manager/testing';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const NODE_ARGS = ['--conditions=source', '--import', 'tsx', MAIN];

describe('a second demo on the same data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jobnik-demo-twice-'));
  const dataDir = join(dir, 'demo');
  let first: ChildProcess | undefined;
  afterAll(() => {
    first?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 1 with one line naming the demo that holds the store; the first runs on', async () => {
    const env = { PATH: process.env.PATH ?? '', JOBNIK_PORT: '0', JOBNIK_DEMO_DATA_DIR: dataDir, DEMO_TASKS_PER_STAGE: '5', TILE_WORK_MS: '1' };
    first = spawn(process.execPath, NODE_ARGS, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    first.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    first.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const url = await waitFor(() => /API docs\s+(http:\/\/\S+)\/docs/.exec(out)?.[1], { timeoutMs: 60_000, message: `the first demo's URL; output: ${out}` });

    const second = spawnSync(process.execPath, NODE_ARGS, { env, encoding: 'utf8', timeout: 60_000 });
    expect(second.status).toBe(1);
    expect(second.stderr.trim()).toMatch(new RegExp(`^jobnik demo: cannot start: the embedded store ${dataDir} is in use by another process \\(pid ${first.pid} on .*\\): stop it, or give this one a store of its own \\(JOBNIK_DEMO_DATA_DIR\\)`));
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
  });
});
