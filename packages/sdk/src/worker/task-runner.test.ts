import { describe, expect, it } from 'vitest';
import { NonRetryableError } from './task-abort.js';
import { failureOf } from './task-runner.js';

describe('failureOf', () => {
  it('records message, code and stack of a thrown error, retryable by default', () => {
    const err = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    expect(failureOf(err)).toMatchObject({ message: 'disk full', code: 'ENOSPC', retryable: true });
    expect(failureOf(err).stack).toContain('disk full');
  });

  it('fails for good on NonRetryableError or `retryable: false`', () => {
    expect(failureOf(new NonRetryableError('bad input', { code: 'BAD' }))).toMatchObject({ retryable: false, code: 'BAD' });
    expect(failureOf(Object.assign(new Error('x'), { retryable: false })).retryable).toBe(false);
  });

  it('turns thrown non-errors into a message and caps sizes to what the manager accepts', () => {
    expect(failureOf('plain string').message).toBe('plain string');
    expect(failureOf({ reason: 'x' }).message).toBe('{"reason":"x"}');
    const long = failureOf(Object.assign(new Error('m'.repeat(10_000)), { code: 'c'.repeat(200) }));
    expect(long.message).toHaveLength(8192);
    expect(long.code).toHaveLength(128);
  });

  it('reads a thrown plain object as an Error: its message, its code and `retryable: false`, without the SDK stack', () => {
    expect(failureOf({ message: 'quota exceeded', code: 'E_QUOTA', retryable: false })).toEqual({ message: 'quota exceeded', code: 'E_QUOTA', retryable: false });
    expect(failureOf({ code: 'E_OBJ' })).toEqual({ message: '{"code":"E_OBJ"}', code: 'E_OBJ', retryable: true });
    expect(failureOf(undefined)).toEqual({ message: 'undefined', retryable: true });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(failureOf(cyclic).message).toBe('[object Object]');
  });
});
