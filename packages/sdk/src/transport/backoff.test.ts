import { describe, expect, it } from 'vitest';
import { ManagerUnavailableError, RateLimitedError } from '../errors.js';
import { RetryAfterBackoff, computeBackoff } from './backoff.js';

const params = { baseMs: 100, maxMs: 1000, jitter: 0.5 };

describe('computeBackoff', () => {
  it('doubles from baseMs and stops at maxMs', () => {
    const none = () => 0;
    expect([1, 2, 3, 4, 5, 6].map((a) => computeBackoff(a, params, none))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('takes up to `jitter` of the delay away, never adds', () => {
    expect(computeBackoff(3, params, () => 1)).toBe(200);
    expect(computeBackoff(3, params, () => 0.5)).toBe(300);
    for (let i = 0; i < 200; i++) {
      const d = computeBackoff(2, params);
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(200);
    }
  });
});

describe('RetryAfterBackoff', () => {
  const ctx = (error: Error, attempt: number) => ({ attempt, result: { error }, signal: new AbortController().signal });

  it('uses the Retry-After the manager sent', () => {
    const b = new RetryAfterBackoff(params, () => 0);
    const err = new RateLimitedError('slow down', { code: 'RATE_LIMITED', status: 429, retryAfterMs: 1500 });
    expect(b.next(ctx(err, 1)).duration).toBe(1500);
  });

  it('backs off exponentially otherwise, step after step', () => {
    const b = new RetryAfterBackoff(params, () => 0);
    const err = new ManagerUnavailableError('down', { code: 'NETWORK_ERROR' });
    const first = b.next(ctx(err, 1));
    const second = first.next(ctx(err, 2));
    expect([first.duration, second.duration]).toEqual([100, 200]);
  });
});
