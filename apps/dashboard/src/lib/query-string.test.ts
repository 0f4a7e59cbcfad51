import { describe, expect, it } from 'vitest';
import { listParam, toQueryString } from './query-string.js';

describe('toQueryString', () => {
  it('leaves out empty values and keeps key order', () => {
    expect(toQueryString({ a: '', b: undefined, c: null, d: [], e: 0, f: false })).toBe('?e=0&f=false');
    expect(toQueryString({})).toBe('');
  });

  it('joins lists with readable commas and escapes everything else', () => {
    expect(toQueryString({ status: ['PENDING', 'FAILED'], name: 'a,b c', tenantId: 'x/y?z' })).toBe('?status=PENDING,FAILED&name=a,b%20c&tenantId=x%2Fy%3Fz');
  });
});

describe('listParam', () => {
  it('merges repeated and comma-separated values', () => {
    expect(listParam(new URLSearchParams('s=A,B&s=C&s=&s= D '), 's')).toEqual(['A', 'B', 'C', 'D']);
    expect(listParam(new URLSearchParams(''), 's')).toEqual([]);
  });
});
