// Workers that sent a heartbeat or dequeued in the last few minutes.
import { api } from '../../api/endpoints.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { RelativeTime } from '../../components/relative-time.js';
import { Placeholder, Section } from '../../components/section.js';
import { usePolling } from '../../hooks/use-polling.js';

export function WorkersSection() {
  const workers = usePolling('/workers', (signal) => api.listWorkers(signal));
  const items = workers.data?.items ?? [];
  return (
    <Section title="Workers seen recently" testId="workers">
      {workers.error && <ProblemNotice error={workers.error} />}
      {items.length === 0 ? (
        <Placeholder>{workers.loading ? 'Loading…' : 'No worker has been seen in the last 5 minutes.'}</Placeholder>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Workers seen in the last 5 minutes</caption>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Tenant</th>
                <th scope="col">Stage types</th>
                <th scope="col" className="num">In flight</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {items.map((w) => (
                <tr key={`${w.tenantId}/${w.id}`} data-testid="worker-row" data-worker={w.id}>
                  <th scope="row" className="mono">
                    {w.id}
                  </th>
                  <td>{w.tenantId}</td>
                  <td>{w.stageTypes.length ? w.stageTypes.join(', ') : <span className="muted">any</span>}</td>
                  <td className="num">{w.inFlight}</td>
                  <td>
                    <RelativeTime iso={w.lastSeenAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
