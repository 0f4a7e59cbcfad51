// A percentage as a bar with its number beside it; an ARIA progressbar, so tests and screen readers read the value.
import { clampPercent, formatPercent } from '../lib/format.js';
import type { StatusTone } from '../lib/statuses.js';

export function ProgressBar({ percent, label, tone = 'active' }: { percent: number; label: string; tone?: StatusTone }) {
  const p = clampPercent(percent);
  return (
    <div className="progress">
      <div
        className={`progress__track progress__track--${tone}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.floor(p)}
        aria-valuetext={formatPercent(p)}
        data-testid="progress-bar"
      >
        <div className="progress__fill" style={{ width: `${p}%` }} />
      </div>
      <span className="progress__text">{formatPercent(p)}</span>
    </div>
  );
}
