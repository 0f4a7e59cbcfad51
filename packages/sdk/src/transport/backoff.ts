// Retry delays: exponential with jitter, or what the manager asked for in Retry-After.
import type { IBackoff, IBackoffFactory, IRetryBackoffContext } from 'cockatiel';
import { JobnikError } from '../errors.js';

export interface BackoffParams {
  baseMs: number;
  maxMs: number;
  /** 0–1: the delay d is drawn from [(1 − jitter)·d, d]. */
  jitter: number;
}

/** Delay before retry number `attempt` (1-based): min(maxMs, baseMs·2^(attempt−1)), less up to `jitter` of it. */
export function computeBackoff(attempt: number, p: BackoffParams, random: () => number = Math.random): number {
  const exp = Math.min(p.maxMs, p.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (1 - p.jitter * random()));
}

/** The Retry-After the failed call's answer carried, if any. */
export function retryAfterOf(result: IRetryBackoffContext<unknown>['result']): number | undefined {
  return 'error' in result && result.error instanceof JobnikError ? result.error.retryAfterMs : undefined;
}

/** cockatiel backoff factory: honours Retry-After (on 429/503), else exponential with jitter. */
export class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(
    private readonly params: BackoffParams,
    private readonly random: () => number = Math.random,
  ) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const asked = retryAfterOf(context.result);
    const duration = asked ?? computeBackoff(context.attempt, this.params, this.random);
    return { duration, next: (c) => this.next(c) };
  }
}
