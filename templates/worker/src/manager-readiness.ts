// Whether this worker can do its work, for /health/ready. The rule (README "Readiness"):
// - not ready before start and once stopping;
// - not ready at once when the manager rejects the worker's API key (401, or 403: not a worker key, or not for
//   these stage types): every dequeue would fail, so rollouts must stall and the pod must show it;
// - still ready while the manager is unreachable or unavailable (network error, timeout, 5xx) for less than
//   `readiness.outageGraceMs` (default 60 s): a manager rollout or a database failover must not take every
//   worker out of its rollout at once; not ready once the outage lasts longer.
// The check is the call a worker makes anyway: an empty heartbeat (POST /workers/{id}/heartbeat, a worker-role
// route) with the worker's key, so one probe covers reachability, the database, the key and its role. It runs at
// most once a second however often the probe asks.
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
  /** Set while ready despite a failing manager (inside the outage grace): what fails and since when. */
  degraded?: string;
}

type ProbeResult = { kind: 'ok' } | { kind: 'rejected' | 'unexpected' | 'unreachable'; detail: string };

@injectable()
export class ManagerReadiness {
  private running = false;
  private lastProbe: { at: number; result: Promise<ProbeResult> } | null = null;
  private outageSince: number | null = null;

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
    const now = Date.now();
    if (!this.lastProbe || now - this.lastProbe.at > PROBE_CACHE_MS) this.lastProbe = { at: now, result: this.probe().then((r) => this.track(r)) };
    const result = await this.lastProbe.result;
    switch (result.kind) {
      case 'ok':
        return { ready: true };
      case 'rejected':
        return { ready: false, reason: `the manager rejected this worker's API key (${result.detail}); check JOBNIK_API_KEY: a worker key of this tenant, allowed these stage types` };
      case 'unexpected':
        return { ready: false, reason: `unexpected answer from the manager (${result.detail})` };
      case 'unreachable': {
        const forMs = Date.now() - (this.outageSince ?? Date.now());
        const grace = this.config.readiness.outageGraceMs;
        const what = `manager unreachable or unavailable for ${Math.round(forMs / 1000)} s: ${result.detail}`;
        if (forMs < grace) return { ready: true, degraded: `${what} (tolerated for ${Math.round(grace / 1000)} s)` };
        return { ready: false, reason: what };
      }
    }
  }

  /** Starts the outage clock on the first failure to reach the manager and stops it on any answer. */
  private track(result: ProbeResult): ProbeResult {
    if (result.kind === 'unreachable') this.outageSince ??= Date.now();
    else this.outageSince = null;
    return result;
  }

  private async probe(): Promise<ProbeResult> {
    const url = new URL(`workers/${encodeURIComponent(this.worker.workerId)}/heartbeat`, this.config.manager.url.replace(/\/?$/, '/'));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.config.manager.apiKey) headers['x-api-key'] = this.config.manager.apiKey;
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers, body: '{"tasks":[]}', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    } catch (err) {
      return { kind: 'unreachable', detail: (err as Error).message };
    }
    const text = await res.text().catch(() => '');
    const detail = `HTTP ${res.status}${problemCode(text)}`;
    if (res.ok || res.status === 429) return { kind: 'ok' }; // 429 comes after authentication: the key is good
    if (res.status === 401 || res.status === 403) return { kind: 'rejected', detail };
    if (res.status >= 500) return { kind: 'unreachable', detail };
    return { kind: 'unexpected', detail };
  }
}

/** " CODE: detail" of a problem+json body, or nothing. */
function problemCode(body: string): string {
  try {
    const p = JSON.parse(body) as { code?: unknown; detail?: unknown };
    return typeof p.code === 'string' ? ` ${p.code}${typeof p.detail === 'string' ? `: ${p.detail}` : ''}` : '';
  } catch {
    return '';
  }
}
