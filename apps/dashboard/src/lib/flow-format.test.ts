import { describe, expect, it } from 'vitest';
import type { Queue } from '../api/api-types.js';
import { formatRate, tenantShares } from './flow-format.js';

const queue = (name: string, tenantId: string, weight: number, ready: number): Queue =>
  ({ name, tenantId, weight, paused: false, depth: { ready, delayed: 0, waiting: 0, inProgress: 0, paused: 0 } }) as Queue;

describe('flow format', () => {
  it('writes rates per second, minute and odd periods, with the burst', () => {
    expect(formatRate({ limit: 50, periodMs: 1000, burst: 5 })).toBe('50/s, burst 5');
    expect(formatRate({ limit: 600, periodMs: 60_000, burst: 1 })).toBe('600/min');
    expect(formatRate({ limit: 5, periodMs: 250, burst: 1 })).toBe('5 per 250 ms');
  });

  it('shares a stage type between the tenants with ready work, by weight', () => {
    const qs = [queue('s', 'a', 3, 10), queue('s', 'b', 1, 5), queue('s', 'c', 1, 0), queue('t', 'a', 1, 1)];
    const shares = tenantShares(qs);
    expect(qs.map((q) => shares.get(q))).toEqual([0.75, 0.25, null, 1]);
  });
});
