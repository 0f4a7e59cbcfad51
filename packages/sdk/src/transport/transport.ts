// Calls a route of the manager by name: builds path, query and headers from the route table, sends
// it through the resilience policies over the shared pool.
import { sseFrames, type SseFrame } from './event-stream.js';
import { pathOf, routes, type RouteName } from '@jobnik/contracts';
import { resolveClientOptions, type ClientOptions, type ResolvedClientOptions } from '../options.js';
import { JobnikError } from '../errors.js';
import { traceHeaders } from '../telemetry/propagation.js';
import { HttpClient } from './http-client.js';
import { ResiliencePolicies, type BreakerState, type RetryMode } from './policies.js';
import type { RouteInput, RouteOutput } from './route-types.js';

export interface CallOptions {
  /** Aborts the call (and its retries); the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's timeoutMs for this call. */
  timeoutMs?: number;
  /** Default: `idempotent` for GET, `unsent` otherwise. */
  retry?: RetryMode;
}

const USER_AGENT = '@jobnik/sdk';

function queryString(query: unknown): string {
  if (!query || typeof query !== 'object') return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export class Transport {
  readonly options: ResolvedClientOptions;
  readonly policies: ResiliencePolicies;
  private readonly http: HttpClient;
  private readonly baseHeaders: Record<string, string>;
  private closed = false;

  constructor(options: ClientOptions) {
    this.options = resolveClientOptions(options);
    this.policies = new ResiliencePolicies(this.options);
    this.http = new HttpClient(this.options);
    this.baseHeaders = { 'user-agent': USER_AGENT, accept: 'application/json', ...this.options.headers };
    if (this.options.apiKey) this.baseHeaders['x-api-key'] = this.options.apiKey;
  }

  /**
   * Opens a server-sent events stream at `path` (e.g. /jobs/{id}/events); null when the manager does not offer
   * it (an older manager, a proxy that buffers) or cannot be reached. Ends when `signal` aborts.
   */
  async openEventStream(path: string, signal: AbortSignal): Promise<AsyncGenerator<SseFrame> | null> {
    try {
      const res = await fetch(this.options.baseUrl.replace(/\/+$/, '') + path, {
        headers: { ...this.baseHeaders, accept: 'text/event-stream' },
        signal,
      });
      if (!res.ok || !res.body || !res.headers.get('content-type')?.startsWith('text/event-stream')) {
        await res.body?.cancel().catch(() => undefined);
        return null;
      }
      return sseFrames(res.body);
    } catch {
      return null;
    }
  }

  get breakerState(): BreakerState {
    return this.policies.state;
  }

  onBreakerStateChange(listener: (state: BreakerState) => void): { dispose(): void } {
    return this.policies.onStateChange(listener);
  }

  async call<R extends RouteName>(name: R, input: RouteInput<R> = {}, opts: CallOptions = {}): Promise<RouteOutput<R>> {
    // Said as what it is, not as the manager being away (the closed connection pool's own error).
    if (this.closed) throw new JobnikError(`${name}: this client is closed (close() ends it for good; make a new one)`, { code: 'CLIENT_CLOSED' });
    const route = routes[name];
    const path = pathOf(route.path, input.params as Record<string, string> | undefined) + queryString(input.query);
    // A new object per call, trace context taken now (the caller's context), never written into the caller's objects.
    const headers: Record<string, string> = { ...this.baseHeaders, ...traceHeaders() };
    let body: string | undefined;
    if (input.body !== undefined) {
      body = JSON.stringify(input.body);
      headers['content-type'] = 'application/json';
    }
    const result = await this.policies.execute(
      (signal) => this.http.send({ method: route.method, path, headers, body, signal, callerSignal: opts.signal }),
      {
        retry: opts.retry ?? (route.method === 'GET' ? 'idempotent' : 'unsent'),
        timeoutMs: opts.timeoutMs ?? this.options.timeoutMs,
        signal: opts.signal,
      },
    );
    return result as RouteOutput<R>;
  }

  close(): Promise<void> {
    this.closed = true;
    return this.http.close();
  }

  destroy(): Promise<void> {
    this.closed = true;
    return this.http.destroy();
  }
}
