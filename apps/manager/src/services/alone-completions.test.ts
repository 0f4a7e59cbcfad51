import { describe, expect, it } from 'vitest';
import { AloneCompletions } from './alone-completions.js';

const tries = (p: AloneCompletions, n: number) => Array.from({ length: n }, () => p.shouldTry()).filter(Boolean).length;

describe('AloneCompletions', () => {
  it('tries every batch while batches commit alone, and after an occasional stage end', () => {
    const p = new AloneCompletions(8, 16);
    for (let i = 0; i < 50; i++) p.record(i % 5 !== 0);
    expect(tries(p, 100)).toBe(100);
  });

  it('after a run of batches that each needed the transaction, tries one in probeEvery', () => {
    const p = new AloneCompletions(8, 16);
    for (let i = 0; i < 100; i++) p.record(false);
    expect(tries(p, 80)).toBe(10);
  });

  it('tries every batch again once probes commit alone, however long the run before was (its memory is the window)', () => {
    const p = new AloneCompletions(8, 16);
    for (let i = 0; i < 1000; i++) p.record(false);
    for (let i = 0; i < 16; i++) p.record(true);
    expect(tries(p, 20)).toBe(20);
  });
});
