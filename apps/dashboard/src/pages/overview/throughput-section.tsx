// Completions per second over the last minute as a sparkline, next to the failure and backlog numbers.
import type { Stats } from '../../api/api-types.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { Placeholder, Section } from '../../components/section.js';
import { Sparkline } from '../../components/sparkline.js';
import type { Polled } from '../../hooks/use-polling.js';
import { formatCount, formatDuration } from '../../lib/format.js';

function Figure({ label, value, testId, tone }: { label: string; value: string; testId: string; tone?: 'danger' }) {
  return (
    <div className={`figure${tone ? ` figure--${tone}` : ''}`}>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

export function ThroughputSection({ stats }: { stats: Polled<Stats> }) {
  const s = stats.data;
  const perSecond = s?.throughput.completedPerSecond ?? [];
  const peak = perSecond.length ? Math.max(...perSecond) : 0;
  return (
    <Section title="Throughput" testId="throughput">
      {stats.error && <ProblemNotice error={stats.error} />}
      {!s ? (
        <Placeholder>{stats.loading ? 'Loading…' : 'No numbers.'}</Placeholder>
      ) : (
        <div className="throughput">
          <figure className="throughput__chart">
            <Sparkline values={perSecond} label={`Tasks completed per second over the last 60 seconds; peak ${peak} per second`} width={320} height={64} />
            <figcaption className="muted">
              Completed per second, last 60 s (peak {formatCount(peak)}/s)
            </figcaption>
          </figure>
          <dl className="figures">
            <Figure label="Completed, last minute" value={formatCount(s.throughput.completedLastMinute)} testId="completed-last-minute" />
            <Figure label="Failed attempts, last minute" value={formatCount(s.throughput.failedLastMinute)} testId="failed-last-minute" />
            <Figure label="Failures, last hour" value={formatCount(s.failuresLastHour)} testId="failures-last-hour" tone={s.failuresLastHour > 0 ? 'danger' : undefined} />
            <Figure label="Oldest ready task waiting" value={s.oldestReadyAgeMs === null ? 'none' : formatDuration(s.oldestReadyAgeMs)} testId="oldest-ready-age" />
          </dl>
        </div>
      )}
    </Section>
  );
}
