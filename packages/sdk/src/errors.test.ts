import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  IdempotencyConflictError,
  IllegalTransitionError,
  JobnikError,
  LeaseLostError,
  ManagerUnavailableError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  UnauthorizedError,
  ValidationError,
  errorFromResponse,
  parseRetryAfter,
} from './errors.js';

const problem = (code: string, status: number) => ({ type: 'about:blank', title: 'T', status, code, detail: 'd' });

describe('errorFromResponse', () => {
  it.each([
    ['JOB_NOT_FOUND', 404, NotFoundError],
    ['ILLEGAL_TRANSITION', 409, IllegalTransitionError],
    ['IDEMPOTENCY_CONFLICT', 409, IdempotencyConflictError],
    ['LEASE_LOST', 409, LeaseLostError],
    ['VALIDATION_FAILED', 400, ValidationError],
    ['TOO_MANY_TASKS', 413, ValidationError],
    ['UNAUTHORIZED', 401, UnauthorizedError],
    ['RATE_LIMITED', 429, RateLimitedError],
    ['UNAVAILABLE', 503, ManagerUnavailableError],
    ['INTERNAL', 500, ServerError],
  ] as const)('maps problem code %s to its class', (code, status, Class) => {
    const err = errorFromResponse(status, problem(code, status));
    expect(err).toBeInstanceOf(Class);
    expect(err).toBeInstanceOf(JobnikError);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.problem?.detail).toBe('d');
    expect(err.message).toBe('T: d');
  });

  it('keeps the family: lease lost, illegal transition and idempotency conflicts are conflicts', () => {
    expect(errorFromResponse(409, problem('LEASE_LOST', 409))).toBeInstanceOf(ConflictError);
    expect(errorFromResponse(409, problem('IDEMPOTENCY_CONFLICT', 409))).toBeInstanceOf(ConflictError);
  });

  it('falls back on the status when the body is not a problem (e.g. a proxy page)', () => {
    expect(errorFromResponse(502, undefined)).toBeInstanceOf(ManagerUnavailableError);
    expect(errorFromResponse(404, 'not json')).toBeInstanceOf(NotFoundError);
    expect(errorFromResponse(500, undefined)).toBeInstanceOf(ServerError);
    expect(errorFromResponse(422, undefined)).toBeInstanceOf(ValidationError);
    expect(errorFromResponse(500, undefined).code).toBe('HTTP_ERROR');
  });

  it('carries Retry-After', () => {
    expect(errorFromResponse(429, problem('RATE_LIMITED', 429), 2000).retryAfterMs).toBe(2000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
