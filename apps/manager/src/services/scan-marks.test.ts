import { describe, expect, it } from 'vitest';
import type { ScanMark } from '../store/dequeue.js';
import { ScanMarks } from './scan-marks.js';

const mark = (ra: string, s: string, q = 1, p = 2, type = 't'): ScanMark => ({ type, q, p, ra: `2026-12-03T04:00:${ra}Z`, s });

/** The marks a dequeue of these stage types scans from, for one that then leases nothing at once. */
function marksOf(m: ScanMarks, stageTypes: string[]): ScanMark[] {
  const scan = m.begin(stageTypes);
  scan.done([]);
  return scan.marks;
}

describe('ScanMarks', () => {
  it('keeps the later mark of a stream when dequeues finish out of order', () => {
    const m = new ScanMarks(10_000, () => 0);
    m.advance([mark('01.000000', '10')]);
    m.advance([mark('00.500000', '5')]);
    expect(marksOf(m, ['t'])).toEqual([mark('01.000000', '10')]);
    m.advance([mark('01.000000', '11')]);
    expect(marksOf(m, ['t'])).toEqual([mark('01.000000', '11')]);
  });

  it('leaves a chain of marks out rescanMs after the scan from the start that began it, for one dequeue at a time', () => {
    let now = 0;
    const m = new ScanMarks(1_000, () => now);
    m.advance([mark('01.000000', '1')]);
    now = 900;
    m.advance([mark('02.000000', '2')]);
    expect(marksOf(m, ['t'])).toEqual([mark('02.000000', '2')]);
    now = 1_001;
    const rescan = m.begin(['t']);
    expect(rescan.marks).toEqual([]);
    // While it scans from the start, the others go on from the mark (and, while looks are quick, may look behind it).
    const other = m.begin(['t']);
    expect(other.marks).toEqual([mark('02.000000', '2')]);
    other.done([mark('03.000000', '3')]);
    // It found tasks behind the mark: the dequeues after it go on from there, in a new chain.
    rescan.done([mark('00.500000', '0')]);
    expect(marksOf(m, ['t'])).toEqual([mark('00.500000', '0')]);
    now = 2_000;
    expect(marksOf(m, ['t'])).toEqual([mark('00.500000', '0')]);
    now = 2_002;
    expect(m.begin(['t']).marks).toEqual([]);
  });

  it('spaces the looks behind a mark and the scans from the start by 50 times the last one while they take long', () => {
    let now = 0;
    const m = new ScanMarks(1_000, () => now);
    m.advance([mark('01.000000', '1')]);
    const slow = m.begin(['t']);
    expect(slow.marks).toEqual([mark('01.000000', '1')]); // may look behind the mark
    // A quick last look: a concurrent dequeue may look too.
    const concurrent = m.begin(['t']);
    expect(concurrent.marks).toEqual([mark('01.000000', '1')]);
    concurrent.done([]);
    now = 400; // it took 400 ms (a held horizon)
    slow.done([]);
    // Costly now: one look at a time …
    const next = m.begin(['t']);
    expect(next.marks).toEqual([{ ...mark('01.000000', '1'), b: false }]);
    next.done([]);
    // … and for the next 20 s dequeues go on from the mark only; the chain is not rescanned after rescanMs either.
    now = 400 + 19_999;
    expect(marksOf(m, ['t'])).toEqual([{ ...mark('01.000000', '1'), b: false }]);
    now = 400 + 20_000;
    const rescan = m.begin(['t']);
    expect(rescan.marks).toEqual([]);
    now += 10; // the horizon is free again: the walk takes as long as any dequeue
    rescan.done([]);
    now += 500;
    expect(marksOf(m, ['t'])).toEqual([mark('01.000000', '1')]);
  });

  it('a failed dequeue releases its look and its rescan and is not taken as the cost of a look', () => {
    let now = 0;
    const m = new ScanMarks(1_000, () => now);
    m.advance([mark('01.000000', '1')]);
    // A dequeue cut off by a database outage after a 10-s connect timeout.
    const cut = m.begin(['t']);
    expect(cut.marks).toEqual([mark('01.000000', '1')]);
    now = 10_000;
    cut.failed();
    // The next dequeues may still look behind the mark (and the chain, now older than rescanMs, is rescanned) at once.
    const rescan = m.begin(['t']);
    expect(rescan.marks).toEqual([]);
    now += 10;
    rescan.failed();
    // The failed rescan is taken over by the next dequeue, not left claimed.
    const again = m.begin(['t']);
    expect(again.marks).toEqual([]);
    now += 400; // this one succeeds after 400 ms: costly
    again.done([]);
    const look = m.begin(['t']);
    expect(look.marks).toEqual([{ ...mark('01.000000', '1'), b: false }]);
    look.done([]);
    // While costly, a failed look releases its claim and leaves the spacing as it was: the next dequeue rescans.
    now += 20_000;
    const spaced = m.begin(['t']);
    expect(spaced.marks).toEqual([mark('01.000000', '1')]);
    now += 5_000;
    spaced.failed();
    expect(m.begin(['t']).marks).toEqual([]);
  });

  it('a wake-up lowers the marks after its ready time and leaves earlier ones; an unknown time drops the type', () => {
    const m = new ScanMarks(10_000, () => 0);
    m.advance([mark('05.000000', '50', 1), mark('01.000000', '10', 2), mark('09.000000', '90', 3, 2, 'other')]);
    m.lower('t', '2026-12-03T04:00:03.000000Z');
    expect(marksOf(m, ['t'])).toEqual([mark('03.000000', '0', 1), mark('01.000000', '10', 2)]);
    m.lower('t', null);
    expect(marksOf(m, ['t', 'other'])).toEqual([mark('09.000000', '90', 3, 2, 'other')]);
  });

  it('rescanMs 0 turns marks off', () => {
    const m = new ScanMarks(0, () => 0);
    m.advance([mark('01.000000', '1')]);
    expect(marksOf(m, ['t'])).toEqual([]);
  });
});
