// Queues (one per tenant and stage type) with their depth by status, and a pause/resume switch each.
import type { Queue } from '../../api/api-types.js';
import { api } from '../../api/endpoints.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { RelativeTime } from '../../components/relative-time.js';
import { Placeholder, Section } from '../../components/section.js';
import { useAction } from '../../hooks/use-action.js';
import { usePolling } from '../../hooks/use-polling.js';
import { formatCount } from '../../lib/format.js';

function QueueRow({ queue, onToggle, busy }: { queue: Queue; onToggle: (q: Queue) => void; busy: boolean }) {
  const d = queue.depth;
  return (
    <tr data-testid="queue-row" data-queue={queue.name} data-tenant={queue.tenantId} data-paused={queue.paused}>
      <th scope="row">
        <span className="mono">{queue.name}</span>
      </th>
      <td>{queue.tenantId}</td>
      <td>
        <span className={`badge badge--${queue.paused ? 'warning' : 'success'}`} data-testid="queue-state">
          {queue.paused ? 'PAUSED' : 'ACTIVE'}
        </span>
      </td>
      <td className="num">{formatCount(d.ready)}</td>
      <td className="num">{formatCount(d.delayed)}</td>
      <td className="num">{formatCount(d.inProgress)}</td>
      <td className="num">{formatCount(d.paused)}</td>
      <td className="num">{formatCount(d.waiting)}</td>
      <td className="num">{queue.maxInFlight === null ? '∞' : formatCount(queue.maxInFlight)}</td>
      <td>
        <RelativeTime iso={queue.oldestReadyAt} />
      </td>
      <td>
        <button
          type="button"
          className="button button--small"
          onClick={() => onToggle(queue)}
          disabled={busy}
          aria-label={`${queue.paused ? 'Resume' : 'Pause'} queue ${queue.name} (tenant ${queue.tenantId})`}
          data-testid="queue-toggle"
        >
          {queue.paused ? 'Resume' : 'Pause'}
        </button>
      </td>
    </tr>
  );
}

export function QueuesSection() {
  const queues = usePolling('/queues', (signal) => api.listQueues(signal));
  const toggle = useAction(queues.refresh);
  const items = queues.data?.items ?? [];
  const onToggle = (q: Queue) => void toggle.run(() => api.updateQueue(q.name, q.tenantId, { paused: !q.paused }));
  return (
    <Section title="Queues" testId="queues">
      {queues.error && <ProblemNotice error={queues.error} />}
      {toggle.error && <ProblemNotice error={toggle.error} onDismiss={toggle.clearError} />}
      {items.length === 0 ? (
        <Placeholder>{queues.loading ? 'Loading…' : 'No queues yet: a queue appears when a job has a stage of its type.'}</Placeholder>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Queues with their depth by status</caption>
            <thead>
              <tr>
                <th scope="col">Stage type</th>
                <th scope="col">Tenant</th>
                <th scope="col">State</th>
                <th scope="col" className="num">Ready</th>
                <th scope="col" className="num">Delayed</th>
                <th scope="col" className="num">In progress</th>
                <th scope="col" className="num">Paused</th>
                <th scope="col" className="num">Waiting</th>
                <th scope="col" className="num">Max in flight</th>
                <th scope="col">Oldest ready</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((q) => (
                <QueueRow key={`${q.tenantId}/${q.name}`} queue={q} onToggle={onToggle} busy={toggle.pending} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
