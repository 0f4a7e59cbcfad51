// W worker processes started from one entry file; collects their completion times so the benchmark
// knows exactly when the k-th task finished, whichever process ran it.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage } from './fleet-protocol.js';
import { stopChild } from './manager-process.js';
import { childExecArgv } from './node-args.js';

export class WorkerFleet {
  /** Every completion time reported so far (epoch ms), in arrival order. */
  readonly completions: number[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];
  private failure: Error | undefined;

  private constructor(private readonly children: ChildProcess[]) {}

  /** Forks `count` processes of `entry` (a module URL beside this file) and waits until each is ready. */
  static async start(entry: URL, count: number, env: Record<string, string>): Promise<WorkerFleet> {
    const children = Array.from({ length: count }, (_, i) =>
      fork(fileURLToPath(entry), [], {
        execArgv: childExecArgv('BENCH_WORKER_NODE_FLAGS'),
        env: { ...process.env, ...env, BENCH_WORKER_INDEX: String(i) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const fleet = new WorkerFleet(children);
    await Promise.all(children.map((c) => fleet.attach(c)));
    return fleet;
  }

  private attach(child: ChildProcess): Promise<void> {
    return new Promise((resolve, reject) => {
      child.on('message', (m: ChildMessage) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'completed') {
          for (const at of m.at) this.completions.push(at);
          this.wake();
        } else if (m.type === 'error') this.fail(new Error(`worker ${child.pid}: ${m.message}`));
      });
      child.once('exit', (code) => {
        const err = new Error(`worker ${child.pid} exited with ${code}`);
        reject(err);
        if (code !== 0) this.fail(err);
      });
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this.completions.length < w.n && !this.failure) return true;
      w.resolve();
      return false;
    });
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid!);
  }

  /** Resolves once n completions were reported; throws if a worker failed or time ran out. */
  async waitFor(n: number, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const reached = new Promise<void>((resolve) => {
      this.waiters.push({ n, resolve });
      this.wake();
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out with ${this.completions.length}/${n} completions`)), timeoutMs);
    });
    try {
      await Promise.race([reached, timeout]);
    } finally {
      clearTimeout(timer);
    }
    if (this.failure) throw this.failure;
  }

  /** Every completion's time, in order. */
  completionTimes(): number[] {
    return [...this.completions].sort((a, b) => a - b);
  }

  /** The time of the k-th completion (1-based) in completion order. */
  timeOf(k: number): number {
    const sorted = [...this.completions].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length, k) - 1]!;
  }

  async stop(): Promise<void> {
    // Asked to stop, a child drains and exits on its own (writing a --cpu-prof profile); SIGTERM only if it lingers.
    for (const c of this.children) if (c.connected) c.send({ type: 'stop' });
    await Promise.all(this.children.map((c) => stopChild(c, 20_000, 10_000)));
  }
}
