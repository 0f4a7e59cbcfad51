// Every resilience rule of a manager call, composed in one place: retry (only for calls safe to repeat)
// → circuit breaker (guards the manager connection) → per-call timeout.
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { JobnikError, ManagerUnavailableError, RateLimitedError, ServerError } from '../errors.js';
import type { ResolvedClientOptions } from '../options.js';
import { abortPromise } from '../util/abortable-sleep.js';
import { RetryAfterBackoff } from './backoff.js';

/**
 * idempotent: GETs, acks, heartbeats, cancel/suspend/resume, createJob (always sent with an idempotency key) — retried on
 *   network errors, timeouts, 5xx and 429.
 * unsent: other writes — retried only when the request surely never reached the manager (connection refused) or was
 *   refused with 429 before any work.
 * never: dequeue — a lost answer is covered by the lease expiring; the dequeue loop has its own backoff.
 */
export type RetryMode = 'idempotent' | 'unsent' | 'never';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Composed policies kept at most (one per retry mode and timeout in use); past it the cache starts over. */
const MAX_COMPOSED = 64;

/** Failures that say something about the manager connection. Handler errors and 4xx (but 429) never get here. */
export function isManagerFailure(err: unknown): boolean {
  if (err instanceof ManagerUnavailableError) return err.code !== 'CIRCUIT_OPEN';
  return err instanceof ServerError || err instanceof RateLimitedError;
}

function retryFilter(mode: RetryMode, maxRetryAfterMs: number) {
  return (err: unknown): boolean => {
    if (mode === 'never' || !(err instanceof JobnikError)) return false;
    if (err.code === 'CIRCUIT_OPEN') return false;
    if (err.retryAfterMs !== undefined && err.retryAfterMs > maxRetryAfterMs) return false;
    if (mode === 'unsent') return err instanceof RateLimitedError || (err instanceof ManagerUnavailableError && err.unsent);
    return isManagerFailure(err);
  };
}

function stateName(s: CircuitState): BreakerState {
  if (s === CircuitState.Closed) return 'closed';
  if (s === CircuitState.HalfOpen) return 'half-open';
  return 'open';
}

export interface ExecuteOptions {
  retry: RetryMode;
  timeoutMs: number;
  signal?: AbortSignal;
}

export class ResiliencePolicies {
  readonly breaker: CircuitBreakerPolicy;
  private readonly retries: Record<RetryMode, IPolicy>;
  private readonly composedPolicies = new Map<string, IPolicy>();

  constructor(options: Pick<ResolvedClientOptions, 'retry' | 'breaker'>, random: () => number = Math.random) {
    this.breaker = circuitBreaker(handleWhen(isManagerFailure), {
      halfOpenAfter: options.breaker.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breaker.threshold),
    });
    const backoff = new RetryAfterBackoff(options.retry, random);
    const make = (mode: RetryMode): IPolicy =>
      retry(handleWhen(retryFilter(mode, options.retry.maxRetryAfterMs)), {
        maxAttempts: mode === 'never' ? 0 : options.retry.maxRetries,
        backoff,
      });
    this.retries = { idempotent: make('idempotent'), unsent: make('unsent'), never: make('never') };
  }

  get state(): BreakerState {
    return stateName(this.breaker.state);
  }

  onStateChange(listener: (state: BreakerState) => void): { dispose(): void } {
    return this.breaker.onStateChange((s) => listener(stateName(s)));
  }

  /**
   * The composed policy of a retry mode and a timeout, made once and reused (a client uses a handful of timeouts).
   * The timeout does not abort its signal when the call returns (cockatiel's default): `fn` has read the whole answer
   * by then, so there is nothing left to cancel, and an abort per call (a DOMException with its stack, listeners
   * run) cost a worker ~10 % of its CPU at small batches.
   */
  private composed(mode: RetryMode, timeoutMs: number): IPolicy {
    const key = `${mode}:${timeoutMs}`;
    let policy = this.composedPolicies.get(key);
    if (!policy) {
      if (this.composedPolicies.size >= MAX_COMPOSED) this.composedPolicies.clear();
      policy = wrap(this.retries[mode], this.breaker, timeout(timeoutMs, { strategy: TimeoutStrategy.Cooperative, abortOnReturn: false }));
      this.composedPolicies.set(key, policy);
    }
    return policy;
  }

  /**
   * Runs `fn` under the policies. `fn` gets the signal to pass to the request: it aborts on the per-call
   * timeout and on the caller's signal. A caller's abort rejects at once with the signal's reason, even
   * during a retry delay (cockatiel's delays are not abortable; the loop then stops before the next try).
   */
  async execute<T>(fn: (signal: AbortSignal) => Promise<T>, o: ExecuteOptions): Promise<T> {
    const policy = this.composed(o.retry, o.timeoutMs);
    const run = policy
      .execute(({ signal }) => {
        // cockatiel tries once more after a delay even when the caller has aborted meanwhile: send nothing then.
        o.signal?.throwIfAborted();
        return fn(signal);
      }, o.signal)
      .catch((err: unknown) => {
      if (err instanceof BrokenCircuitError) {
        throw new ManagerUnavailableError('the manager is unavailable (circuit breaker open)', {
          code: 'CIRCUIT_OPEN',
          unsent: true,
          cause: err,
        });
      }
      if (o.signal?.aborted) throw o.signal.reason;
      throw err;
    });
    if (!o.signal) return run;
    const aborted = abortPromise(o.signal);
    try {
      return await Promise.race([run, aborted.promise]);
    } finally {
      aborted.dispose();
      run.catch(() => undefined);
    }
  }
}
