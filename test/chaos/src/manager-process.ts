// The manager as a child process (`node --conditions=source --import tsx apps/manager/src/main.ts serve`) on a
// fixed port and database, so it can be killed and started again exactly as a deployment would restart it.
import { join } from 'node:path';
import { REPO_ROOT, spawnTs, stopChild, type Child } from './children.js';
import { portOutsideEphemeralRange, waitFor } from '@jobnik/manager/testing';

export interface ManagerProcessOptions {
  databaseUrl: string;
  port: number;
  leaseMs?: number;
  sweepIntervalMs?: number;
  /** Extra environment (JOBNIK_*). */
  env?: Record<string, string>;
}

/**
 * A free loopback port for the manager, kept across its restarts: below the ephemeral range, so no connection made
 * while it is down (the workers' retries) can take it as its local end.
 */
export const freePort = portOutsideEphemeralRange;

export class ManagerProcess {
  readonly url: string;
  private child: Child | undefined;
  /** Starts so far (the first one included). */
  starts = 0;

  constructor(private readonly o: ManagerProcessOptions) {
    this.url = `http://127.0.0.1:${o.port}`;
  }

  get running(): boolean {
    return this.child?.alive() ?? false;
  }

  /** Starts the process and waits until /health/ready answers 200. */
  async start(readyTimeoutMs = 60_000): Promise<void> {
    if (this.running) throw new Error('manager already running');
    const child = spawnTs(`manager#${this.starts + 1}`, join(REPO_ROOT, 'apps/manager/src/main.ts'), ['serve'], {
      DATABASE_URL: this.o.databaseUrl,
      JOBNIK_HOST: '127.0.0.1',
      JOBNIK_PORT: String(this.o.port),
      JOBNIK_LEASE_MS: String(this.o.leaseMs ?? 3_000),
      JOBNIK_SWEEP_INTERVAL_MS: String(this.o.sweepIntervalMs ?? 500),
      JOBNIK_LOG_LEVEL: 'warn',
      JOBNIK_SHUTDOWN_GRACE_MS: '5000',
      ...this.o.env,
    });
    this.child = child;
    this.starts++;
    await waitFor(
      async () => {
        if (!child.alive()) throw new Error(`manager exited during start: ${child.output()}`);
        const res = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
        await res.body?.cancel();
        return res.status === 200;
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 100, message: 'manager ready', onTimeout: () => child.output() },
    );
    if (!child.alive()) throw new Error(`manager exited right after start: ${child.output()}`);
  }

  /** SIGTERM (graceful) or SIGKILL; resolves once the process is gone. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    return this.child ? stopChild(this.child, signal) : undefined;
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the running process. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    if (!this.child?.alive()) throw new Error('manager not running');
    this.child.proc.kill(signal);
  }

  output(): string {
    return this.child?.output() ?? '';
  }
}
