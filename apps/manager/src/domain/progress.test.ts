import { describe, expect, it } from 'vitest';
import { progressOf } from './progress.js';

const counts = (c: Partial<Record<'waiting' | 'pending' | 'inProgress' | 'paused' | 'completed' | 'failed' | 'aborted', number>>) => ({
  waiting: 0, pending: 0, inProgress: 0, paused: 0, completed: 0, failed: 0, aborted: 0, ...c,
});
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('progressOf', () => {
  it('counts a running task by its reported progress', () => {
    expect(progressOf({ status: 'IN_PROGRESS', final: false, counts: counts({ inProgress: 1 }), runningProgress: 0.5, startedAt: t0, now: at(10_000) })).toEqual({ percentage: 50, etaMs: 10_000 });
  });

  it('weights tasks equally and estimates the rest at the observed throughput', () => {
    // done 2.5 of 4 in 10 s (work 2.5 + 1 failed = 3.5 over 10 s); remaining 4 + 1 − 2 − 1 − 0.5 … of 5 tasks: 1.5
    const p = progressOf({ status: 'IN_PROGRESS', final: false, counts: counts({ completed: 2, failed: 1, inProgress: 1, pending: 1 }), runningProgress: 0.5, startedAt: t0, now: at(10_000) });
    expect(p.percentage).toBe(50); // ⌊100 · 2.5 / 5⌋
    expect(p.etaMs).toBe(Math.round((1.5 * 10_000) / 3.5));
  });

  it('has no ETA before it starts, before any work, or once final; COMPLETED reads 100', () => {
    expect(progressOf({ status: 'PENDING', final: false, counts: counts({ pending: 3 }), runningProgress: 0, startedAt: null, now: t0 }).etaMs).toBeNull();
    expect(progressOf({ status: 'IN_PROGRESS', final: false, counts: counts({ inProgress: 3 }), runningProgress: 0, startedAt: t0, now: at(5) }).etaMs).toBeNull();
    expect(progressOf({ status: 'COMPLETED', final: true, counts: counts({ completed: 1, aborted: 1 }), runningProgress: 0, startedAt: t0, now: at(5) })).toEqual({ percentage: 100, etaMs: null });
  });

  it('never reads over 100 nor trusts more running progress than there are running tasks', () => {
    expect(progressOf({ status: 'IN_PROGRESS', final: false, counts: counts({ inProgress: 1 }), runningProgress: 7, startedAt: t0, now: at(1000) })).toEqual({ percentage: 100, etaMs: 0 });
  });
});
