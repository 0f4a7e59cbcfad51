import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { dueFireTimes } from './fire-times.js';

const everySecond = new Cron('* * * * * *', { timezone: 'UTC', paused: true });
const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

describe('due fire times', () => {
  it('on time: one fire whatever the policy', () => {
    for (const policy of ['all', 'latest', 'none'] as const) {
      expect(dueFireTimes(everySecond, t(10), new Date(t(10).getTime() + 200), policy, 100, 1000)).toEqual([t(10)]);
    }
  });
  it('nothing due before the fire time', () => {
    expect(dueFireTimes(everySecond, t(10), t(9), 'all', 100, 1000)).toEqual([]);
  });
  it('after a 10 s outage: all fires every missed time oldest first (up to the limit), latest the newest, none nothing', () => {
    expect(dueFireTimes(everySecond, t(0), t(10), 'all', 100, 1000)).toEqual(Array.from({ length: 11 }, (_, i) => t(i)));
    expect(dueFireTimes(everySecond, t(0), t(10), 'all', 3, 1000)).toEqual([t(0), t(1), t(2)]);
    expect(dueFireTimes(everySecond, t(0), t(10), 'latest', 100, 1000)).toEqual([t(10)]);
    expect(dueFireTimes(everySecond, t(0), t(10), 'none', 100, 1000)).toEqual([]);
  });
  it('none also skips a single fire that is too late', () => {
    const hourly = new Cron('0 * * * *', { timezone: 'UTC', paused: true });
    expect(dueFireTimes(hourly, t(0), new Date(t(0).getTime() + 5000), 'none', 100, 1000)).toEqual([]);
  });
  it('times after liveSince came while a scheduler ran (a long tick): they fire under every policy, the earlier ones follow it', () => {
    // Due since 0 s, the scheduler's previous tick began at 5.5 s, this one at 10 s: 6…10 are late, 0…5 were missed.
    const live = [t(6), t(7), t(8), t(9), t(10)];
    expect(dueFireTimes(everySecond, t(0), t(10), 'none', 100, 1000, new Date(t(5).getTime() + 500))).toEqual(live);
    expect(dueFireTimes(everySecond, t(0), t(10), 'latest', 100, 1000, new Date(t(5).getTime() + 500))).toEqual([t(5), ...live]);
    expect(dueFireTimes(everySecond, t(0), t(10), 'all', 100, 1000, new Date(t(5).getTime() + 500))).toEqual(Array.from({ length: 11 }, (_, i) => t(i)));
    expect(dueFireTimes(everySecond, t(6), t(10), 'none', 100, 1000, t(5))).toEqual(live);
    expect(dueFireTimes(everySecond, t(0), t(10), 'all', 4, 1000, t(5))).toEqual([t(0), t(1), t(2), t(3)]);
    expect(dueFireTimes(everySecond, t(6), t(10), 'latest', 2, 1000, t(5))).toEqual([t(6), t(7)]);
  });
});
