// Cron schedules with their next and last fire times, a page at a time. A manager without the route gets a friendly note.
import { useState } from 'react';
import { api } from '../../api/endpoints.js';
import { Pager } from '../../components/pager.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { RelativeTime } from '../../components/relative-time.js';
import { Placeholder, Section } from '../../components/section.js';
import { usePolling } from '../../hooks/use-polling.js';
import { formatDateTime } from '../../lib/format.js';

/** Schedules a page shows (by name). */
const PAGE_SIZE = 100;

export function SchedulesPage() {
  const [cursor, setCursor] = useState('');
  const schedules = usePolling(`/schedules?cursor=${cursor}`, (signal) => api.listSchedules({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }, signal), { intervalMs: 5000 });
  const unavailable = schedules.error?.status === 404 && schedules.error.code === 'ROUTE_NOT_FOUND';
  const items = schedules.data?.items ?? [];
  return (
    <div className="page">
      <h1 className="page__title">Schedules</h1>
      <Section title="Cron schedules" testId="schedules">
        {unavailable ? (
          <div className="empty" data-testid="schedules-unavailable">
            <p>
              <strong>Schedules are not available on this manager yet.</strong>
            </p>
            <p className="muted">This manager version has no /schedules route. Once it does, its schedules show here.</p>
          </div>
        ) : (
          <>
            {schedules.error && <ProblemNotice error={schedules.error} />}
            {items.length === 0 ? (
              <Placeholder>
                {schedules.loading ? (
                  'Loading…'
                ) : (
                  <span data-testid="schedules-empty">
                    No schedules yet. Create one with <code>POST /schedules</code> (a cron expression and a job template).
                  </span>
                )}
              </Placeholder>
            ) : (
              <div className="table-wrap">
                <table className="table">
                  <caption className="sr-only">Cron schedules</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Tenant</th>
                      <th scope="col">Cron</th>
                      <th scope="col">Time zone</th>
                      <th scope="col">Job</th>
                      <th scope="col">Enabled</th>
                      <th scope="col">Catch-up</th>
                      <th scope="col">Next fire</th>
                      <th scope="col">Last fire</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((s) => (
                      <tr key={s.id} data-testid="schedule-row" data-schedule-id={s.id}>
                        <th scope="row">{s.name}</th>
                        <td>{s.tenantId}</td>
                        <td>
                          <code>{s.cron}</code>
                        </td>
                        <td>{s.timezone}</td>
                        <td className="mono">{typeof s.jobTemplate.name === 'string' ? s.jobTemplate.name : '—'}</td>
                        <td>
                          <span className={`badge badge--${s.enabled ? 'success' : 'muted'}`}>{s.enabled ? 'ENABLED' : 'DISABLED'}</span>
                        </td>
                        <td>{s.catchUp}</td>
                        <td title={formatDateTime(s.nextFireAt)}>
                          <RelativeTime iso={s.nextFireAt} />
                        </td>
                        <td>
                          <RelativeTime iso={s.lastFireAt} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {(cursor !== '' || schedules.data?.nextCursor) && (
              <Pager shown={items.length} atFirst={cursor === ''} nextCursor={schedules.data?.nextCursor} onFirst={() => setCursor('')} onNext={setCursor} />
            )}
          </>
        )}
      </Section>
    </div>
  );
}
