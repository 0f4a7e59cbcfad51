// A stage's or job's tasks counted by status, zero counts left out.
import type { TaskSummary } from '../api/api-types.js';
import { formatCount } from '../lib/format.js';
import type { StatusTone } from '../lib/statuses.js';

const PARTS: ReadonlyArray<{ key: keyof TaskSummary; label: string; tone: StatusTone }> = [
  { key: 'completed', label: 'completed', tone: 'success' },
  { key: 'inProgress', label: 'in progress', tone: 'active' },
  { key: 'pending', label: 'pending', tone: 'neutral' },
  { key: 'waiting', label: 'waiting', tone: 'neutral' },
  { key: 'paused', label: 'paused', tone: 'warning' },
  { key: 'failed', label: 'failed', tone: 'danger' },
  { key: 'aborted', label: 'aborted', tone: 'muted' },
];

export function TaskCounts({ summary }: { summary: TaskSummary }) {
  const shown = PARTS.filter((p) => summary[p.key] > 0);
  return (
    <ul className="counts" aria-label="Tasks by status" data-testid="task-counts">
      <li className="counts__total">
        {formatCount(summary.total)} {summary.total === 1 ? 'task' : 'tasks'}
      </li>
      {shown.map((p) => (
        <li key={p.key} data-count={p.key}>
          <span className={`dot dot--${p.tone}`} aria-hidden="true" />
          {formatCount(summary[p.key])} {p.label}
        </li>
      ))}
    </ul>
  );
}
