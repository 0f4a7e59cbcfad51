// The composed policies with fake timers: what is retried, how long it waits, when the breaker opens and closes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManagerUnavailableError, NotFoundError, RateLimitedError, ServerError, ValidationError } from '../errors.js';
import { ResiliencePolicies, type BreakerState } from './policies.js';

const opts = {
  retry: { maxRetries: 3, baseMs: 100, maxMs: 1000, jitter: 0, maxRetryAfterMs: 10_000 },
  breaker: { threshold: 3, halfOpenAfterMs: 1000 },
};
const down = () => new ManagerUnavailableError('ECONNRESET', { code: 'NETWORK_ERROR' });
const refused = () => new ManagerUnavailableError('ECONNREFUSED', { code: 'NETWORK_ERROR', unsent: true });

function failing(errors: Error[], value = 'ok') {
  const calls: number[] = [];
  const fn = async () => {
    calls.push(Date.now());
    const e = errors.shift();
    if (e) throw e;
    return value;
  };
  return { fn, calls };
}

describe('ResiliencePolicies', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries idempotent calls on network errors and 5xx with exponential backoff', async () => {
    const p = new ResiliencePolicies(opts);
    const { fn, calls } = failing([down(), new ServerError('boom', { code: 'INTERNAL', status: 500 })]);
    const result = p.execute(fn, { retry: 'idempotent', timeoutMs: 5000 });
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('ok');
    expect(calls).toEqual([0, 100, 300]);
  });

  it('honours Retry-After on 429', async () => {
    const p = new ResiliencePolicies(opts);
    const { fn, calls } = failing([new RateLimitedError('slow', { code: 'RATE_LIMITED', status: 429, retryAfterMs: 2000 })]);
    const result = p.execute(fn, { retry: 'idempotent', timeoutMs: 5000 });
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('ok');
    expect(calls).toEqual([0, 2000]);
  });

  it('does not retry when Retry-After asks for more than maxRetryAfterMs', async () => {
    const p = new ResiliencePolicies(opts);
    const { fn, calls } = failing([new RateLimitedError('slow', { code: 'RATE_LIMITED', status: 429, retryAfterMs: 60_000 })]);
    const result = p.execute(fn, { retry: 'idempotent', timeoutMs: 5000 });
    await expect(result).rejects.toBeInstanceOf(RateLimitedError);
    expect(calls).toHaveLength(1);
  });

  it('never retries 4xx other than 429', async () => {
    const p = new ResiliencePolicies(opts);
    const { fn, calls } = failing([new NotFoundError('nope', { code: 'JOB_NOT_FOUND', status: 404 })]);
    await expect(p.execute(fn, { retry: 'idempotent', timeoutMs: 5000 })).rejects.toBeInstanceOf(NotFoundError);
    expect(calls).toHaveLength(1);
  });

  it('never retries a dequeue-like call, even on network errors', async () => {
    const p = new ResiliencePolicies(opts);
    const { fn, calls } = failing([refused()]);
    await expect(p.execute(fn, { retry: 'never', timeoutMs: 5000 })).rejects.toBeInstanceOf(ManagerUnavailableError);
    expect(calls).toHaveLength(1);
  });

  it('retries a non-idempotent write only when the request surely never left (connection refused)', async () => {
    const p = new ResiliencePolicies(opts);
    const sent = failing([down()]);
    await expect(p.execute(sent.fn, { retry: 'unsent', timeoutMs: 5000 })).rejects.toBeInstanceOf(ManagerUnavailableError);
    expect(sent.calls).toHaveLength(1);
    const unsent = failing([refused()]);
    const result = p.execute(unsent.fn, { retry: 'unsent', timeoutMs: 5000 });
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('ok');
    expect(unsent.calls).toHaveLength(2);
  });

  it('times a call out and reports it as the manager being unavailable', async () => {
    const p = new ResiliencePolicies({ ...opts, retry: { ...opts.retry, maxRetries: 0 } });
    const hang = (signal: AbortSignal) =>
      new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(new ManagerUnavailableError('timed out', { code: 'TIMEOUT' }))));
    const result = p.execute(hang, { retry: 'idempotent', timeoutMs: 500 });
    const settled = expect(result).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(500);
    await settled;
  });

  it('aborts the request signal on timeout only: a call that returned leaves it alone, and the next call with the same timeout still times out', async () => {
    const p = new ResiliencePolicies({ ...opts, retry: { ...opts.retry, maxRetries: 0 } });
    const seen: AbortSignal[] = [];
    await expect(p.execute(async (signal) => (seen.push(signal), 'ok'), { retry: 'idempotent', timeoutMs: 500 })).resolves.toBe('ok');
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen[0]!.aborted).toBe(false);
    const hang = (signal: AbortSignal) =>
      new Promise<string>((_, reject) => {
        seen.push(signal);
        signal.addEventListener('abort', () => reject(new ManagerUnavailableError('timed out', { code: 'TIMEOUT' })));
      });
    const result = p.execute(hang, { retry: 'idempotent', timeoutMs: 500 });
    const settled = expect(result).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(499);
    expect(seen[1]!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await settled;
    expect(seen[1]!.aborted).toBe(true);
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('opens after `threshold` consecutive manager failures, fails fast while open, probes once after halfOpenAfterMs and closes on success', async () => {
    const p = new ResiliencePolicies(opts);
    const states: BreakerState[] = [];
    p.onStateChange((s) => states.push(s));
    let calls = 0;
    let healthy = false;
    const fn = async () => {
      calls++;
      if (!healthy) throw down();
      return 'ok';
    };
    for (let i = 0; i < 3; i++) await expect(p.execute(fn, { retry: 'never', timeoutMs: 1000 })).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(p.state).toBe('open');
    await expect(p.execute(fn, { retry: 'never', timeoutMs: 1000 })).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', unsent: true });
    expect(calls).toBe(3);
    // An idempotent call does not wait out an open breaker in retries either.
    await expect(p.execute(fn, { retry: 'idempotent', timeoutMs: 1000 })).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(calls).toBe(3);
    vi.advanceTimersByTime(1000);
    healthy = true;
    await expect(p.execute(fn, { retry: 'never', timeoutMs: 1000 })).resolves.toBe('ok');
    expect(p.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('does not count 4xx (but 429) as breaker failures', async () => {
    const p = new ResiliencePolicies(opts);
    const invalid = async () => {
      throw new ValidationError('bad', { code: 'VALIDATION_FAILED', status: 400 });
    };
    for (let i = 0; i < 10; i++) await expect(p.execute(invalid, { retry: 'never', timeoutMs: 1000 })).rejects.toBeInstanceOf(ValidationError);
    expect(p.state).toBe('closed');
    const limited = async () => {
      throw new RateLimitedError('slow', { code: 'RATE_LIMITED', status: 429 });
    };
    for (let i = 0; i < 3; i++) await expect(p.execute(limited, { retry: 'never', timeoutMs: 1000 })).rejects.toBeInstanceOf(RateLimitedError);
    expect(p.state).toBe('open');
  });

  it("rejects at once with the caller's abort reason, even during a retry delay, and makes no further attempt", async () => {
    const p = new ResiliencePolicies({ ...opts, retry: { ...opts.retry, baseMs: 5000, maxMs: 5000 } });
    const { fn, calls } = failing([down(), down()]);
    const ac = new AbortController();
    const result = p.execute(fn, { retry: 'idempotent', timeoutMs: 1000, signal: ac.signal });
    const settled = expect(result).rejects.toThrow('stopping');
    await vi.advanceTimersByTimeAsync(10);
    ac.abort(new Error('stopping'));
    await settled;
    await vi.runAllTimersAsync();
    expect(calls).toHaveLength(1);
  });
});
