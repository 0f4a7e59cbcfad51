// Options shared by ProducerClient and WorkerClient (how to reach the manager and how hard to try),
// documented where declared and defaulted in one function.
import type { Dispatcher } from 'undici';

export interface RetryOptions {
  /** Retries after the first try, for calls that are safe to repeat. Default 3. */
  maxRetries?: number;
  /** Delay before the first retry. Default 100 ms. */
  baseMs?: number;
  /** Cap on one delay. Default 5 000 ms. */
  maxMs?: number;
  /** Fraction of the delay that is randomized (0–1): a delay d is drawn from [(1 − jitter)·d, d]. Default 0.5. */
  jitter?: number;
  /** A 429/503 whose Retry-After asks for longer than this is not retried (the error is thrown). Default 30 000 ms. */
  maxRetryAfterMs?: number;
}

export interface BreakerOptions {
  /** Consecutive manager failures (network, timeout, 5xx, 429) that open the breaker. Default 5. */
  threshold?: number;
  /** Time the breaker stays open before one probe call is let through (half-open). Default 2 000 ms. */
  halfOpenAfterMs?: number;
}

export interface HttpOptions {
  /** Most sockets to the manager. Long-polls hold one each. Default 16. */
  connections?: number;
  /** How long an idle keep-alive socket is kept. Default 30 000 ms. */
  keepAliveTimeoutMs?: number;
  /** Use this undici dispatcher instead of the SDK's own Pool (e.g. a ProxyAgent). The SDK will not close it. */
  dispatcher?: Dispatcher;
}

export interface ClientOptions {
  /** Manager base URL, e.g. `http://jobnik-manager:8080`; a path prefix (`/api`) is kept. */
  baseUrl: string;
  /** Sent as `x-api-key` when set. */
  apiKey?: string;
  /** Timeout of one HTTP call (each retry gets its own). Default 10 000 ms. */
  timeoutMs?: number;
  /** Long-poll calls (dequeue) time out after their waitMs plus this. Default 5 000 ms. */
  longPollMarginMs?: number;
  retry?: RetryOptions;
  breaker?: BreakerOptions;
  http?: HttpOptions;
  /** Extra headers on every call. */
  headers?: Record<string, string>;
}

export interface ResolvedClientOptions {
  baseUrl: string;
  apiKey: string | undefined;
  timeoutMs: number;
  longPollMarginMs: number;
  retry: Required<RetryOptions>;
  breaker: Required<BreakerOptions>;
  http: { connections: number; keepAliveTimeoutMs: number; dispatcher: Dispatcher | undefined };
  headers: Record<string, string>;
}

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new TypeError(`jobnik: option ${name} must be a non-negative number, got ${v}`);
  return v;
}

export function resolveClientOptions(o: ClientOptions): ResolvedClientOptions {
  if (!o || typeof o.baseUrl !== 'string' || !/^https?:\/\//.test(o.baseUrl)) {
    throw new TypeError('jobnik: baseUrl must be an http(s) URL');
  }
  const jitter = o.retry?.jitter ?? 0.5;
  if (jitter < 0 || jitter > 1) throw new TypeError('jobnik: retry.jitter must be between 0 and 1');
  return {
    baseUrl: o.baseUrl,
    apiKey: o.apiKey,
    timeoutMs: positive('timeoutMs', o.timeoutMs ?? 10_000),
    longPollMarginMs: positive('longPollMarginMs', o.longPollMarginMs ?? 5_000),
    retry: {
      maxRetries: positive('retry.maxRetries', o.retry?.maxRetries ?? 3),
      baseMs: positive('retry.baseMs', o.retry?.baseMs ?? 100),
      maxMs: positive('retry.maxMs', o.retry?.maxMs ?? 5_000),
      jitter,
      maxRetryAfterMs: positive('retry.maxRetryAfterMs', o.retry?.maxRetryAfterMs ?? 30_000),
    },
    breaker: {
      threshold: Math.max(1, o.breaker?.threshold ?? 5),
      halfOpenAfterMs: positive('breaker.halfOpenAfterMs', o.breaker?.halfOpenAfterMs ?? 2_000),
    },
    http: {
      connections: Math.max(1, o.http?.connections ?? 16),
      keepAliveTimeoutMs: positive('http.keepAliveTimeoutMs', o.http?.keepAliveTimeoutMs ?? 30_000),
      dispatcher: o.http?.dispatcher,
    },
    headers: { ...o.headers },
  };
}
