// Child processes of a chaos run: spawned TypeScript entry points under tsx (the `source` condition), tracked
// in one registry so every one of them is SIGKILLed when the run ends, fails, or the runner is interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = createRequire(import.meta.url).resolve('tsx');

export interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Still running (no exit seen yet). */
  alive(): boolean;
  /** The last few KB of stderr and stdout, for diagnostics. */
  output(): string;
}

const live = new Set<Child>();
let hooked = false;

/** SIGKILLs every child still running (synchronous: usable from an exit hook). */
export function killAllChildren(): void {
  for (const c of live) if (c.alive()) c.proc.kill('SIGKILL');
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllChildren);
}

const interruptCleanups = new Set<() => Promise<void>>();

/** Work to do (bounded to 10 s) when a command-line run is interrupted, e.g. drop its database. Returns the remover. */
export function onInterrupt(fn: () => Promise<void>): () => void {
  interruptCleanups.add(fn);
  return () => interruptCleanups.delete(fn);
}

/** For a command-line runner: Ctrl-C (or a SIGTERM/SIGHUP) takes the children down with it, then cleans up. */
export function killChildrenOnSignals(): void {
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(s, () => {
      killAllChildren();
      const cleanups = Promise.allSettled([...interruptCleanups].map((fn) => fn()));
      const cap = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
      void Promise.race([cleanups, cap]).finally(() => process.exit(130));
    });
  }
}

/** Runs `node --conditions=source --import tsx <file> ...args` from the repository root. */
export function spawnTs(name: string, file: string, args: string[], env: Record<string, string>): Child {
  hookExit();
  const proc = spawn(process.execPath, ['--conditions=source', '--import', TSX, file, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8_192);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => {
      done = true;
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  const child: Child = { name, proc, exited, alive: () => !done && proc.exitCode === null && proc.signalCode === null, output: () => tail };
  live.add(child);
  return child;
}

/** Sends `signal` and waits for the exit; SIGKILLs after `killAfterMs` if the child is still there. */
export async function stopChild(child: Child, signal: NodeJS.Signals, killAfterMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (!child.alive()) return child.exited;
  child.proc.kill(signal);
  const timer = setTimeout(() => child.alive() && child.proc.kill('SIGKILL'), killAfterMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}
