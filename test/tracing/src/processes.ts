// The manager and the worker template as real processes, run from their sources with tsx, each line of their
// output kept (parsed as JSON when it is a pino line).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Proc {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  /** pino lines whose msg is `msg`. */
  logged(msg: string): Record<string, unknown>[];
  stop(): Promise<number | null>;
}

/** Runs `<pkg>/<entry>` with tsx from the package's folder, so tsx compiles it with the package's tsconfig. */
export function spawnSource(pkg: string, entry: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', entry, ...args], {
    cwd: `${REPO_ROOT}${pkg}`,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let rest = '';
  const onData = (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    logged: (msg) =>
      lines.flatMap((l) => {
        try {
          const entry = JSON.parse(l) as Record<string, unknown>;
          return entry.msg === msg ? [entry] : [];
        } catch {
          return [];
        }
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
