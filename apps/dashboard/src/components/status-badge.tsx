// A status as a coloured badge. The text is the status exactly as the API spells it.
import { toneOf, type AnyStatus } from '../lib/statuses.js';

export function StatusBadge({ status }: { status: AnyStatus }) {
  return (
    <span className={`badge badge--${toneOf(status)}`} data-testid="status-badge" data-status={status}>
      {status}
    </span>
  );
}
