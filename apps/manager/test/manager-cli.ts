// `jobnik-manager` as a user runs it: a separate process from the sources (tsx), with only the environment given, for
// tests of what it prints and how it exits.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './api.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const NODE_ARGS = ['--conditions=source', '--import', 'tsx', MAIN];

const withPath = (env: Record<string, string>) => ({ PATH: process.env.PATH ?? '', ...env });

/** Runs `jobnik-manager <command>` to its end (at most 60 s: a process still running then has status null). */
export function runManager(command: 'serve' | 'migrate', env: Record<string, string>, nodeFlags: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeFlags, ...NODE_ARGS, command], { env: withPath(env), encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

export interface ManagerCli {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Its URL, once it prints that it listens; fails if it exits first. */
  listening(timeoutMs?: number): Promise<string>;
}

/** Starts `jobnik-manager serve` in the background. */
export function spawnManager(env: Record<string, string>): ManagerCli {
  const child = spawn(process.execPath, [...NODE_ARGS, 'serve'], { env: withPath(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return {
    child,
    output: () => out,
    async listening(timeoutMs = 60_000) {
      const url = await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`manager exited ${child.exitCode}: ${out}`);
          return /Jobnik manager: (http:\/\/\S+)/.exec(out)?.[1];
        },
        (u) => u !== undefined,
        { timeoutMs, everyMs: 50 },
      );
      return url!;
    },
  };
}
