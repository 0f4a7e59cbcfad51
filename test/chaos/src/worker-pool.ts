// A pool of chaos worker processes: start N, SIGKILL a random one and start its replacement, stop them all.
import { fileURLToPath } from 'node:url';
import { spawnTs, stopChild, type Child } from './children.js';

const WORKER = fileURLToPath(new URL('./chaos-worker.ts', import.meta.url));

export interface WorkerPoolOptions {
  url: string;
  logDir: string;
  stageTypes: string[];
  /** Handler time, `min-max` ms. */
  taskMs?: string;
  concurrency?: number;
  leaseMs?: number;
  graceMs?: number;
  /** Long-polls of the workers (default 2000 ms). */
  waitMs?: number;
}

export class WorkerPool {
  readonly workers: Child[] = [];
  started = 0;
  kills = 0;

  constructor(private readonly o: WorkerPoolOptions) {}

  spawn(): Child {
    const child = spawnTs(`worker#${++this.started}`, WORKER, [], {
      JOBNIK_URL: this.o.url,
      CHAOS_LOG_DIR: this.o.logDir,
      CHAOS_STAGE_TYPES: this.o.stageTypes.join(','),
      CHAOS_TASK_MS: this.o.taskMs ?? '2-6',
      CHAOS_CONCURRENCY: String(this.o.concurrency ?? 4),
      CHAOS_LEASE_MS: String(this.o.leaseMs ?? 3_000),
      CHAOS_GRACE_MS: String(this.o.graceMs ?? 3_000),
      CHAOS_WAIT_MS: String(this.o.waitMs ?? 2_000),
    });
    this.workers.push(child);
    return child;
  }

  start(n: number): void {
    for (let i = 0; i < n; i++) this.spawn();
  }

  alive(): Child[] {
    return this.workers.filter((w) => w.alive());
  }

  /** SIGKILLs a random live worker and starts a replacement at once. Returns the victim's pid. */
  async killOneAndReplace(): Promise<number | undefined> {
    const candidates = this.alive();
    const victim = candidates[Math.floor(Math.random() * candidates.length)];
    if (!victim) return undefined;
    victim.proc.kill('SIGKILL');
    await victim.exited;
    this.kills++;
    this.spawn();
    return victim.proc.pid;
  }

  /** Graceful stop of every live worker (SIGTERM, SIGKILL after the grace). */
  async stopAll(): Promise<void> {
    await Promise.all(this.alive().map((w) => stopChild(w, 'SIGTERM', (this.o.graceMs ?? 3_000) + 5_000)));
  }

  /** Workers that died on their own (not by our SIGKILL, not by stopAll). */
  crashed(): Child[] {
    return this.workers.filter((w) => !w.alive() && w.proc.signalCode !== 'SIGKILL' && w.proc.exitCode !== 0);
  }
}
