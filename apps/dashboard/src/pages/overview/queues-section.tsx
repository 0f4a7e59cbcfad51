// Queues (one per tenant and stage type) with their depth by status, their flow control (job group, rate limits,
// the tenant's share of the stage type, aging) and a pause/resume switch each. Each (tenant, stage type) keeps its
// queue after its work is done, so only the queues with work are listed unless the idle ones are asked for. The
// list's filters and page live in the page's URL (reload, share, back/forward keep them).
import { useEffect, useState, type FormEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import type { Queue } from '../../api/api-types.js';
import { api } from '../../api/endpoints.js';
import { Pager } from '../../components/pager.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { RelativeTime } from '../../components/relative-time.js';
import { Placeholder, Section } from '../../components/section.js';
import { useAction } from '../../hooks/use-action.js';
import { usePolling } from '../../hooks/use-polling.js';
import { formatCount } from '../../lib/format.js';
import { formatRate, tenantShares } from '../../lib/flow-format.js';
import { parseQueueFilters, queueFiltersToSearch, withQueueFilters, type QueueFilters } from '../../lib/queue-filters.js';

function QueueRow({ queue, share, onToggle, busy }: { queue: Queue; share: number | null; onToggle: (q: Queue) => void; busy: boolean }) {
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
      <td data-testid="queue-group">{queue.group ?? '—'}</td>
      <td data-testid="queue-rate-limit">
        {queue.rateLimit || queue.tenantRateLimit ? (
          <>
            {queue.rateLimit && <span title="Rate limit of the stage type, shared by every tenant">{formatRate(queue.rateLimit)}</span>}
            {queue.rateLimit && queue.tenantRateLimit && <br />}
            {queue.tenantRateLimit && <span title="This tenant's own rate limit">tenant: {formatRate(queue.tenantRateLimit)}</span>}
          </>
        ) : (
          '—'
        )}
      </td>
      <td className="num" data-testid="queue-share" title={`weight ${queue.weight}`}>
        {share === null ? '—' : `${Math.round(share * 100)} %`}
      </td>
      <td data-testid="queue-aging">{queue.agingMs === null ? 'off' : `${formatCount(queue.agingMs)} ms`}</td>
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

/** Queues listed per page (by tenant and stage type). */
export const QUEUES_SHOWN = 500;

export function QueuesSection() {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const filters = parseQueueFilters(search);
  const { showIdle, tenant, cursor } = filters;
  const show = (next: QueueFilters) => {
    if (next !== filters) navigate(`${location}${queueFiltersToSearch(next, search)}`);
  };
  // The box follows the URL's tenant (back/forward), and is edited freely until applied.
  const [tenantDraft, setTenantDraft] = useState(tenant);
  useEffect(() => setTenantDraft(tenant), [tenant]);
  const query = { active: showIdle ? undefined : true, tenantId: tenant || undefined, limit: QUEUES_SHOWN, cursor: cursor || undefined };
  const queues = usePolling(`/queues?idle=${showIdle}&tenant=${tenant}&cursor=${cursor}`, (signal) => api.listQueues(query, signal));
  const toggle = useAction(queues.refresh);
  const items = queues.data?.items ?? [];
  const shares = tenantShares(items);
  const onToggle = (q: Queue) => void toggle.run(() => api.updateQueue(q.name, q.tenantId, { paused: !q.paused }));
  // Another filter starts again from the first page.
  const showTenant = (t: string) => show(withQueueFilters(filters, { tenant: t }));
  const applyTenant = (e: FormEvent) => {
    e.preventDefault();
    showTenant(tenantDraft.trim());
  };
  const controls = (
    <>
      <form onSubmit={applyTenant} role="search" aria-label="Queues of one tenant">
        <input
          type="search"
          className="input--small"
          placeholder="Tenant"
          aria-label="Tenant"
          value={tenantDraft}
          onChange={(e) => setTenantDraft(e.target.value)}
          onBlur={() => showTenant(tenantDraft.trim())}
          data-testid="queues-tenant"
        />
      </form>
      <label className="check" title="A queue stays after its work is done; idle ones have no open stage">
        <input type="checkbox" checked={showIdle} onChange={(e) => show(withQueueFilters(filters, { showIdle: e.target.checked }))}
          data-testid="queues-show-idle"
        />
        Show idle queues
      </label>
    </>
  );
  const empty = tenant
    ? `No ${showIdle ? '' : 'active '}queues of tenant ${tenant}.`
    : showIdle
      ? 'No queues yet: a queue appears when a job has a stage of its type.'
      : 'No queue has work now.';
  return (
    <Section title="Queues" testId="queues" actions={controls}>
      {queues.error && <ProblemNotice error={queues.error} />}
      {toggle.error && <ProblemNotice error={toggle.error} onDismiss={toggle.clearError} />}
      {items.length === 0 ? (
        <Placeholder>{queues.loading ? 'Loading…' : empty}</Placeholder>
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
                <th scope="col">Group</th>
                <th scope="col">Rate limit</th>
                <th scope="col" className="num" title="The tenant's share of the stage type's leases while tenants with ready work compete (by weight)">
                  Share
                </th>
                <th scope="col">Aging</th>
                <th scope="col">Oldest ready</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((q) => (
                <QueueRow key={`${q.tenantId}/${q.name}`} queue={q} share={shares.get(q) ?? null} onToggle={onToggle} busy={toggle.pending} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(cursor !== '' || queues.data?.nextCursor) && (
        <Pager
          shown={items.length}
          atFirst={cursor === ''}
          nextCursor={queues.data?.nextCursor}
          onFirst={() => show({ ...filters, cursor: '' })}
          onNext={(next) => show({ ...filters, cursor: next })}
        />
      )}
    </Section>
  );
}
