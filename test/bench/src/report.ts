// Benchmarks print one JSON object per line: the figure, its value and unit, the target beside it and
// whether the value meets it, plus the setup it was measured with.
export interface Target {
  /** The value must be at least (`>=`) or at most (`<=`) this. */
  op: '>=' | '<=';
  value: number;
}

export interface Figure {
  /** Stable name of the figure, e.g. `e2e-throughput`. */
  figure: string;
  value: number;
  unit: string;
  target?: Target;
  /** The setup and any secondary measurements. */
  [key: string]: unknown;
}

export function meets(value: number, target: Target): boolean {
  return target.op === '>=' ? value >= target.value : value <= target.value;
}

/** Prints one figure as a JSON line; with a target, `pass` says whether it is met. */
export function report(f: Figure): void {
  const verdict = f.target ? { target: `${f.target.op} ${f.target.value}`, pass: meets(f.value, f.target) } : {};
  const { figure, value, unit, target: _target, ...rest } = f;
  console.log(JSON.stringify({ figure, value, unit, ...verdict, ...rest, at: new Date().toISOString() }));
}

/** Progress and diagnostics go to stderr so stdout stays JSON lines. */
export function note(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Milliseconds on a clock shared by every process of this machine (wall clock, sub-millisecond). */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
