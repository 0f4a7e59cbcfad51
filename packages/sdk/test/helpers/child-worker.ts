// Spawns TypeScript files (worker fixtures, the README examples) under tsx and collects what they print.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/worker-process.ts', import.meta.url));
const TSX = createRequire(import.meta.url).resolve('tsx');

export interface ChildWorker {
  proc: ChildProcess;
  events: Record<string, unknown>[];
  /** stdout lines that were not JSON. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Runs test/fixtures/worker-process.ts. */
export function spawnWorker(env: Record<string, string>): ChildWorker {
  return spawnScript(FIXTURE, env);
}

/** Runs a TypeScript file under tsx with the `source` condition; stdout lines that are JSON become events, others go to `output`. */
export function spawnScript(file: string, env: Record<string, string>): ChildWorker {
  const proc = spawn(process.execPath, ['--import', TSX, '--conditions=source', file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Record<string, unknown>[] = [];
  const output: string[] = [];
  let buffer = '';
  let err = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        output.push(line);
      }
    }
  });
  proc.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return { proc, events, output, exited, stderr: () => err };
}
