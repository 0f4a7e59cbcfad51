import { describe, expect, it } from 'vitest';
import type { ScanMark } from '../store/dequeue.js';
import { ScanMarks } from './scan-marks.js';

const mark = (ra: string, s: string, q = 1, p = 2, type = 't'): ScanMark => ({ type, q, p, ra: `2026-12-03T04:00:${ra}Z`, s });

describe('ScanMarks', () => {
  it('keeps the later mark of a stream when dequeues finish out of order', () => {
    const m = new ScanMarks(10_000, () => 0);
    m.advance([mark('01.000000', '10')]);
    m.advance([mark('00.500000', '5')]);
    expect(m.of(['t'])).toEqual([mark('01.000000', '10')]);
    m.advance([mark('01.000000', '11')]);
    expect(m.of(['t'])).toEqual([mark('01.000000', '11')]);
  });

  it('forgets a chain of marks rescanMs after the scan from the start that began it, however busy the stream', () => {
    let now = 0;
    const m = new ScanMarks(1_000, () => now);
    m.advance([mark('01.000000', '1')]);
    now = 900;
    m.advance([mark('02.000000', '2')]);
    expect(m.of(['t'])).toHaveLength(1);
    now = 1_001;
    expect(m.of(['t'])).toEqual([]);
    // The next dequeue scanned from the start: a new chain.
    m.advance([mark('03.000000', '3')]);
    expect(m.of(['t'])).toEqual([mark('03.000000', '3')]);
  });

  it('a wake-up lowers the marks after its ready time and leaves earlier ones; an unknown time drops the type', () => {
    const m = new ScanMarks(10_000, () => 0);
    m.advance([mark('05.000000', '50', 1), mark('01.000000', '10', 2), mark('09.000000', '90', 3, 2, 'other')]);
    m.lower('t', '2026-12-03T04:00:03.000000Z');
    expect(m.of(['t'])).toEqual([mark('03.000000', '0', 1), mark('01.000000', '10', 2)]);
    m.lower('t', null);
    expect(m.of(['t', 'other'])).toEqual([mark('09.000000', '90', 3, 2, 'other')]);
  });

  it('rescanMs 0 turns marks off', () => {
    const m = new ScanMarks(0, () => 0);
    m.advance([mark('01.000000', '1')]);
    expect(m.of(['t'])).toEqual([]);
  });
});
