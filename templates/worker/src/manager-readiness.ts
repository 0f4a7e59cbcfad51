// Whether this worker can reach its manager: the worker's own calls (dequeue, heartbeat, acks) report
// failures as `error` events and the breaker opens on repeated ones; besides, the manager's /health/ready
// is asked (at most once a second) so an idle worker also notices a manager that went away.
import { inject, injectable } from './di.js';
import type { WorkerClient } from '@jobnik/sdk';
import type { WorkerConfig } from './config.js';
import type { WorkerJobs } from './jobs.js';
import { TOKENS } from './tokens.js';

const PROBE_CACHE_MS = 1_000;
const PROBE_TIMEOUT_MS = 2_000;

export interface Readiness {
  ready: boolean;
  reason?: string;
}

@injectable()
export class ManagerReadiness {
  private running = false;
  private lastProbe: { at: number; result: Promise<Readiness> } | null = null;

  constructor(
    @inject(TOKENS.Config) private readonly config: WorkerConfig,
    @inject(TOKENS.WorkerClient) private readonly worker: WorkerClient<WorkerJobs>,
  ) {}

  /** Marks the worker as taking tasks (after start) or not (while stopping). */
  setRunning(running: boolean): void {
    this.running = running;
  }

  async check(): Promise<Readiness> {
    if (!this.running) return { ready: false, reason: 'worker is not running' };
    if (this.worker.breakerState === 'open') return { ready: false, reason: 'circuit breaker to the manager is open' };
    const now = Date.now();
    if (!this.lastProbe || now - this.lastProbe.at > PROBE_CACHE_MS) this.lastProbe = { at: now, result: this.probe() };
    return this.lastProbe.result;
  }

  private async probe(): Promise<Readiness> {
    try {
      const res = await fetch(new URL('health/ready', this.config.manager.url.replace(/\/?$/, '/')), { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await res.body?.cancel();
      return res.ok ? { ready: true } : { ready: false, reason: `manager is not ready (HTTP ${res.status})` };
    } catch (err) {
      return { ready: false, reason: `manager unreachable: ${(err as Error).message}` };
    }
  }
}
