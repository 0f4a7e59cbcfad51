import { describe, expect, it } from 'vitest';
import { AloneCompletions } from './alone-completions.js';

describe('AloneCompletions', () => {
  it('tries alone while few tries end a stage', () => {
    const a = new AloneCompletions();
    for (let i = 0; i < 100; i++) {
      expect(a.shouldTry()).toBe(true);
      a.tried(i % 10 === 0);
    }
  });

  it('stops trying once most tries end a stage, probes every 16th completion, and comes back when a probe ends none', () => {
    const a = new AloneCompletions();
    let tries = 0;
    for (let i = 0; i < 7; i++) {
      expect(a.shouldTry()).toBe(true);
      tries++;
      a.tried(true);
    }
    // 1 - 0.9^7 ≈ 0.52 of recent tries ended a stage: the next 15 completions go straight to the transaction.
    for (let i = 0; i < 15; i++) expect(a.shouldTry()).toBe(false);
    expect(a.shouldTry()).toBe(true);
    a.tried(false);
    expect(tries + 1).toBe(8);
    // The probe ended no stage: the rate fell under one in two, and every completion tries alone again.
    for (let i = 0; i < 5; i++) {
      expect(a.shouldTry()).toBe(true);
      a.tried(false);
    }
  });
});
