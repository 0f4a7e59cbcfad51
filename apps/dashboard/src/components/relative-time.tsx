// A timestamp shown relative to now ("12 s ago"), the full local date and time on hover.
import { formatDateTime, formatRelative } from '../lib/format.js';

export function RelativeTime({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso, Date.now())}
    </time>
  );
}
