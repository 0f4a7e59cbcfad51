// A small inline SVG line chart of recent values (e.g. completions per second), newest on the right.
import { sparklineGeometry } from '../lib/sparkline-geometry.js';

export function Sparkline({ values, label, width = 240, height = 48 }: { values: readonly number[]; label: string; width?: number; height?: number }) {
  const g = sparklineGeometry(values, width, height);
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
      data-testid="sparkline"
      data-max={g.max}
    >
      <title>{label}</title>
      <line className="sparkline__baseline" x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} />
      {g.area && <path className="sparkline__area" d={g.area} />}
      {g.line && <path className="sparkline__line" d={g.line} />}
    </svg>
  );
}
