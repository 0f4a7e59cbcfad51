// The SVG path of a sparkline: values left to right, scaled so the largest touches the top.

export interface SparklineGeometry {
  /** The line through every value ("M x,y L x,y …"), empty without values. */
  line: string;
  /** The line closed down to the baseline, for a filled area. */
  area: string;
  /** The value drawn at the top (0 when every value is 0). */
  max: number;
  points: ReadonlyArray<readonly [number, number]>;
}

/** Two decimals are plenty on screen and keep the path short. */
function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/**
 * Lays `values` out across `width`, with `pad` pixels kept free above and below the line so a
 * stroke at the top or bottom is not cut off. Negative and non-finite values are drawn as 0.
 */
export function sparklineGeometry(values: readonly number[], width: number, height: number, pad = 2): SparklineGeometry {
  const clean = values.map((v) => (Number.isFinite(v) && v > 0 ? v : 0));
  if (clean.length === 0) return { line: '', area: '', max: 0, points: [] };
  const max = Math.max(...clean);
  const span = Math.max(0, height - 2 * pad);
  const yOf = (v: number) => (max === 0 ? height - pad : pad + (1 - v / max) * span);
  const points: Array<readonly [number, number]> =
    clean.length === 1
      ? [[0, yOf(clean[0]!)], [width, yOf(clean[0]!)]]
      : clean.map((v, i) => [(i * width) / (clean.length - 1), yOf(v)] as const);
  const line = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${fmt(x)},${fmt(y)}`).join(' ');
  const area = `${line} L${fmt(width)},${fmt(height)} L0,${fmt(height)} Z`;
  return { line, area, max, points };
}
