// The manager in a process of its own (`src/main.ts serve` of @jobnik/manager, from source), so the
// load generators do not share its event loop and its RSS and CPU can be measured.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childExecArgv, runtime } from './node-args.js';
import { delayed } from './pg-delay-proxy.js';
import type { StoreKind } from './settings.js';

const MANAGER_DIR = dirname(dirname(fileURLToPath(import.meta.resolve('@jobnik/manager'))));

/** The manager's CLI: the compiled dist/main.js, or src/main.ts through tsx. */
function managerCommand(): string[] {
  const extra = (process.env.BENCH_MANAGER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  return runtime === 'dist' ? [...extra, join(MANAGER_DIR, 'dist', 'main.js')] : [...childExecArgv('BENCH_MANAGER_NODE_FLAGS'), join(MANAGER_DIR, 'src', 'main.ts')];
}

/**
 * The NODE_OPTIONS the manager's image runs it with (its Dockerfile's `ENV NODE_OPTIONS=`), so the figures are those
 * of the manager as shipped; BENCH_MANAGER_NODE_OPTIONS replaces them (empty: Node's defaults).
 */
function imageNodeOptions(): string {
  const own = process.env.BENCH_MANAGER_NODE_OPTIONS;
  if (own !== undefined) return own;
  const m = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(readFileSync(join(MANAGER_DIR, 'Dockerfile'), 'utf8'));
  if (!m) throw new Error(`no ENV NODE_OPTIONS="…" line in ${join(MANAGER_DIR, 'Dockerfile')}`);
  return m[1]!;
}

export interface ManagerProcess {
  url: string;
  pid: number;
  store: StoreKind;
  /** SIGTERM, wait for exit (a --cpu-prof profile is written then). */
  stop(): Promise<void>;
}

export interface ManagerProcessOptions {
  store: StoreKind;
  /** PostgreSQL URL (store postgres). */
  databaseUrl?: string;
  poolSize?: number;
  env?: Record<string, string>;
}

const live = new Set<ChildProcess>();
let exitHooked = false;

/** A benchmark stopped by Ctrl-C or an error must not leave managers running. */
function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
}

export async function startManagerProcess(o: ManagerProcessOptions): Promise<ManagerProcess> {
  // PGlite keeps its data in a directory, as a real embedded deployment does.
  const pgliteDir = o.store === 'pglite' ? mkdtempSync(join(tmpdir(), 'jobnik-bench-pglite-')) : undefined;
  const child = spawn(process.execPath, [...managerCommand(), 'serve'], {
    env: {
      ...process.env,
      NODE_OPTIONS: imageNodeOptions(),
      DATABASE_URL: o.store === 'postgres' ? await delayed(o.databaseUrl!) : '',
      JOBNIK_PGLITE_DIR: pgliteDir ?? '',
      JOBNIK_HOST: '127.0.0.1',
      JOBNIK_PORT: '0',
      JOBNIK_LOG_LEVEL: process.env.BENCH_MANAGER_LOG_LEVEL ?? 'warn',
      JOBNIK_DB_POOL_SIZE: String(o.poolSize ?? 10),
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  killOnExit(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Jobnik manager: (http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`manager exited with ${code} before listening: ${out}`)));
  });
  return {
    url,
    pid: child.pid!,
    store: o.store,
    async stop() {
      await stopChild(child);
      if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
    },
  };
}

/** SIGTERM after `termAfterMs` (at once by default), SIGKILL after `graceMs`; resolves on exit. */
export function stopChild(child: ChildProcess, graceMs = 15_000, termAfterMs = 0): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const term = setTimeout(() => child.kill('SIGTERM'), termAfterMs);
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(term);
      clearTimeout(force);
      resolve();
    });
  });
}
