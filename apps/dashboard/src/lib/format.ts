// How numbers, durations, percentages and times read on screen. Pure functions, unit tested.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const counts = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return counts.format(n);
}

/**
 * A compact duration with at most two units: "450 ms", "2.5 s", "42 s", "3 m 5 s", "2 h 4 m", "3 d 2 h".
 * Missing or invalid values read as an em dash.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '-' : '';
  const v = Math.abs(ms);
  if (v < SECOND) return `${sign}${Math.round(v)} ms`;
  if (v < 10 * SECOND) return `${sign}${(Math.floor(v / 100) / 10).toFixed(1)} s`;
  if (v < MINUTE) return `${sign}${Math.floor(v / SECOND)} s`;
  const [big, bigUnit, small, smallUnit] =
    v < HOUR ? [MINUTE, 'm', SECOND, 's'] : v < DAY ? [HOUR, 'h', MINUTE, 'm'] : [DAY, 'd', HOUR, 'h'];
  const whole = Math.floor(v / big);
  const rest = Math.floor((v - whole * big) / small);
  return `${sign}${whole} ${bigUnit}${rest ? ` ${rest} ${smallUnit}` : ''}`;
}

/**
 * A percentage 0–100 as a whole number. Rounds down, so only finished work reads "100%", and any
 * started work reads at least "<1%" rather than "0%".
 */
export function formatPercent(value: number): string {
  const p = clampPercent(value);
  if (p > 0 && p < 1) return '<1%';
  return `${Math.floor(p)}%`;
}

/** Keeps a percentage inside 0–100; NaN reads as 0. */
export function clampPercent(value: number): number {
  if (!Number.isFinite(value)) return value === Infinity ? 100 : 0;
  return Math.min(100, Math.max(0, value));
}

/** A task's progress (0–1) as a percentage. */
export function fractionToPercent(fraction: number): number {
  return clampPercent(fraction * 100);
}

/** "5 s ago", "in 3 m", "just now", relative to `now` (ms since the epoch). */
export function formatRelative(iso: string | null | undefined, now: number): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const diff = now - t;
  if (Math.abs(diff) < SECOND) return 'just now';
  const abs = Math.abs(diff);
  // Whole seconds under a minute: "4 s ago" reads better than "4.6 s ago" in a list that ticks.
  const d = abs < MINUTE ? `${Math.floor(abs / SECOND)} s` : formatDuration(abs);
  return diff > 0 ? `${d} ago` : `in ${d}`;
}

const dateTimes = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A timestamp in the reader's locale and time zone. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '—' : dateTimes.format(t);
}

/**
 * The last 8 hex digits of a uuid: enough to tell rows apart at a glance. (Not the first: a uuid v7
 * starts with its timestamp, so ids made in the same moment share their first block.)
 */
export function shortId(id: string): string {
  const hex = id.replaceAll('-', '');
  return hex.length > 8 ? hex.slice(-8) : hex;
}
