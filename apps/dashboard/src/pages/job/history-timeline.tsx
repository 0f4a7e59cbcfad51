// The job's history as a timeline: each transition and ended task attempt with when, who caused it and, for an
// attempt, its worker, outcome and duration. Loads again on each event of the job's stream (polls without it).
import { useContext, useEffect } from 'react';
import { api } from '../../api/endpoints.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { Placeholder } from '../../components/section.js';
import { LiveContext } from '../../hooks/use-event-stream.js';
import { usePolling } from '../../hooks/use-polling.js';
import { formatDateTime, formatDuration, shortId } from '../../lib/format.js';

export function HistoryTimeline({ jobId }: { jobId: string }) {
  const { live, version } = useContext(LiveContext);
  const history = usePolling(`/jobs/${jobId}/history`, (signal) => api.getJobHistory(jobId, signal), { poll: !live });
  const { refresh } = history;
  useEffect(() => {
    if (version > 0) refresh();
  }, [version, refresh]);
  const items = history.data?.items ?? [];
  return (
    <section aria-labelledby="history-title" className="history card">
      <h2 id="history-title">History</h2>
      {history.error && <ProblemNotice error={history.error} />}
      {items.length === 0 ? (
        <Placeholder>{history.loading ? 'Loading…' : 'No history recorded.'}</Placeholder>
      ) : (
        <ol className="history-list" data-testid="history">
          {items.map((e) => (
            <li key={e.seq} data-testid="history-entry" data-kind={e.kind} data-to={e.to}>
              <time dateTime={e.at}>{formatDateTime(e.at)}</time>{' '}
              {e.kind === 'attempt' && e.attempt ? (
                <span>
                  task <code>{shortId(e.taskId ?? '')}</code> attempt {e.attempt.number} {e.attempt.outcome.toLowerCase()}
                  {e.attempt.workerId ? ` on ${e.attempt.workerId}` : ''} after {formatDuration(e.attempt.durationMs)} → {e.to}
                  {e.attempt.error ? `: ${e.attempt.error.message}` : ''}
                </span>
              ) : (
                <span>
                  {e.kind === 'stage' ? (
                    <>
                      stage <code>{shortId(e.stageId ?? '')}</code>
                    </>
                  ) : (
                    'job'
                  )}{' '}
                  {e.from ?? 'created'} → {e.to}
                </span>
              )}{' '}
              <span className="muted">by {e.actor}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
