// The worker template's `src/main.ts` as a real process (what the chart's image runs), for the chart tests: started
// from the environment the Deployment would set, its JSON log lines kept, its health port read from its start line.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { WORKER_CHART } from './paths.js';

const TEMPLATE = join(WORKER_CHART, '..');

export class WorkerProcess {
  private constructor(
    readonly proc: ChildProcess,
    readonly lines: string[],
    /** The port of its /health/* and /metrics. */
    readonly healthPort: number,
  ) {}

  /** Starts it with `env` (plus WORKER_HEALTH_PORT=0); resolves once it logged that it started (30 s deadline). */
  static async start(env: Record<string, string>): Promise<WorkerProcess> {
    const proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
      cwd: TEMPLATE,
      env: { ...process.env, LOG_LEVEL: 'info', ...env, WORKER_HEALTH_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buf = '';
    const port = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start within 30 s:\n${lines.join('\n')}`)), 30_000);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`worker exited with ${code}:\n${lines.join('\n')}`));
      });
      const onData = (chunk: Buffer) => {
        buf += chunk.toString();
        const parts = buf.split('\n');
        buf = parts.pop() ?? '';
        lines.push(...parts);
        for (const line of parts) {
          const entry = parseLine(line);
          if (entry?.msg === 'worker started') {
            clearTimeout(timer);
            resolve(Number(entry.healthPort));
          }
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
    });
    try {
      return new WorkerProcess(proc, lines, await port);
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
  }

  /** Kills it (SIGCONT first, in case a test left it stopped) and waits for the exit. */
  async kill(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGCONT');
    this.proc.kill('SIGKILL');
    await exited;
  }
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
