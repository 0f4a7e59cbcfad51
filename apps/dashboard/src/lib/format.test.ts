import { describe, expect, it } from 'vitest';
import { clampPercent, formatCount, formatDuration, formatPercent, formatRelative, fractionToPercent, shortId } from './format.js';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [450.4, '450 ms'],
    [999, '999 ms'],
    [1000, '1.0 s'],
    [2_549, '2.5 s'],
    [9_999, '9.9 s'],
    [42_700, '42 s'],
    [60_000, '1 m'],
    [185_000, '3 m 5 s'],
    [3_600_000, '1 h'],
    [2 * 3_600_000 + 4 * 60_000 + 59_000, '2 h 4 m'],
    [3 * 86_400_000 + 2 * 3_600_000, '3 d 2 h'],
    [-1500, '-1.5 s'],
  ])('%s ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('reads missing values as a dash', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});

describe('formatPercent', () => {
  it.each([
    [0, '0%'],
    [0.2, '<1%'],
    [1, '1%'],
    [42.9, '42%'],
    [99.99, '99%'],
    [100, '100%'],
    [140, '100%'],
    [-3, '0%'],
    [Number.NaN, '0%'],
  ])('%s reads %s', (value, text) => {
    expect(formatPercent(value)).toBe(text);
  });

  it('clamps and converts fractions', () => {
    expect(clampPercent(Infinity)).toBe(100);
    expect(fractionToPercent(0.255)).toBeCloseTo(25.5);
    expect(fractionToPercent(1.2)).toBe(100);
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');
  it('reads past and future times', () => {
    expect(formatRelative('2025-01-01T11:59:55.400Z', now)).toBe('4 s ago');
    expect(formatRelative('2025-01-01T11:57:00Z', now)).toBe('3 m ago');
    expect(formatRelative('2025-01-01T12:00:30Z', now)).toBe('in 30 s');
    expect(formatRelative('2025-01-01T12:00:00.300Z', now)).toBe('just now');
  });
  it('reads missing or broken timestamps as a dash', () => {
    expect(formatRelative(null, now)).toBe('—');
    expect(formatRelative('yesterday', now)).toBe('—');
  });
});

describe('small helpers', () => {
  it('groups thousands', () => expect(formatCount(1234567)).toBe('1,234,567'));
  it('shortens uuids to their random tail, which differs between ids made at once', () => {
    expect(shortId('0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b')).toBe('2e3f4a5b');
    expect(shortId('0193a1b2-7c3d-7e4f-8a9b-0c1d00000001')).not.toBe(shortId('0193a1b2-7c3d-7e4f-8a9b-0c1d00000002'));
    expect(shortId('abc')).toBe('abc');
  });
});
