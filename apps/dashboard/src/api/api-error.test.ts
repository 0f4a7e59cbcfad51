import { describe, expect, it } from 'vitest';
import { ApiError, networkProblem, problemFromAnswer } from './api-error.js';

describe('problemFromAnswer', () => {
  it('keeps the fields of a problem+json answer', () => {
    const body = JSON.stringify({
      type: 'https://jobnik.dev/problems/validation-failed',
      title: 'Bad Request',
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'the query is invalid',
      errors: [{ path: '/query/limit', message: 'Too big' }, 'junk'],
    });
    expect(problemFromAnswer(400, 'Bad Request', body)).toEqual({
      title: 'Bad Request',
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'the query is invalid',
      errors: [{ path: '/query/limit', message: 'Too big' }],
    });
  });

  it('names an answer without a body by its status', () => {
    expect(problemFromAnswer(502, 'Bad Gateway', '')).toEqual({ title: 'Bad Gateway', status: 502 });
    expect(problemFromAnswer(503, '', '')).toEqual({ title: 'HTTP 503', status: 503 });
  });

  it('shows a short text answer but not an HTML page', () => {
    expect(problemFromAnswer(500, 'Internal Server Error', 'database is down').detail).toBe('database is down');
    expect(problemFromAnswer(502, 'Bad Gateway', '<html><body>nginx</body></html>').detail).toBeUndefined();
  });

  it('reads a plain JSON error with a message', () => {
    expect(problemFromAnswer(404, 'Not Found', '{"message":"Route GET:/x not found","statusCode":404}')).toEqual({
      title: 'Not Found',
      status: 404,
      detail: 'Route GET:/x not found',
    });
  });
});

describe('ApiError', () => {
  it('exposes status and code and a readable message', () => {
    const e = new ApiError({ title: 'Conflict', status: 409, code: 'ILLEGAL_TRANSITION', detail: 'job is COMPLETED' });
    expect(e.status).toBe(409);
    expect(e.code).toBe('ILLEGAL_TRANSITION');
    expect(e.message).toBe('Conflict: job is COMPLETED');
  });

  it('describes a failure to connect', () => {
    expect(networkProblem(new TypeError('Failed to fetch'))).toMatchObject({ status: 0, code: 'NETWORK_ERROR', detail: 'Failed to fetch' });
  });
});
