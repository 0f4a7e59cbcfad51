// Flow control across tenants: job groups with their capacity and tasks in flight, and rate limits on task starts.
// Both lists are admin-only (they span every tenant): other keys see a note instead.
import type { QueueGroup, RateLimit } from '../../api/api-types.js';
import { api } from '../../api/endpoints.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { Placeholder, Section } from '../../components/section.js';
import { usePolling, type Polled } from '../../hooks/use-polling.js';
import { formatCount } from '../../lib/format.js';
import { formatRate } from '../../lib/flow-format.js';

/** 403 (not an admin key) and 404 (a manager without these routes) are notes, not errors. */
function unavailable(p: Polled<unknown>): string | null {
  if (p.error?.status === 403) return 'Shown to admin keys only.';
  if (p.error?.status === 404 && p.error.code === 'ROUTE_NOT_FOUND') return 'Not available on this manager.';
  return null;
}

function GroupsTable({ items }: { items: QueueGroup[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="sr-only">Job groups with their capacity and tasks in flight</caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col" className="num">In flight</th>
            <th scope="col" className="num">Capacity</th>
            <th scope="col">Stage types</th>
            <th scope="col">Set in</th>
          </tr>
        </thead>
        <tbody>
          {items.map((g) => (
            <tr key={g.name} data-testid="group-row" data-group={g.name}>
              <th scope="row">
                <span className="mono">{g.name}</span>
              </th>
              <td className="num">{formatCount(g.inFlight)}</td>
              <td className="num">{formatCount(g.maxInFlight)}</td>
              <td className="mono">{g.stageTypes.join(', ') || '—'}</td>
              <td>{g.source === 'config' ? 'configuration' : 'API'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RateLimitsTable({ items }: { items: RateLimit[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="sr-only">Rate limits on task starts</caption>
        <thead>
          <tr>
            <th scope="col">Stage type</th>
            <th scope="col">Tenant</th>
            <th scope="col">Limit</th>
            <th scope="col">Set in</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={`${r.stageType}/${r.tenantId ?? '*'}`} data-testid="rate-limit-row" data-stage-type={r.stageType}>
              <th scope="row">
                <span className="mono">{r.stageType}</span>
              </th>
              <td>{r.tenantId ?? 'all tenants'}</td>
              <td>{formatRate(r)}</td>
              <td>{r.source === 'config' ? 'configuration' : 'API'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function FlowSection() {
  const groups = usePolling('/queue-groups', (signal) => api.listQueueGroups(signal));
  const limits = usePolling('/rate-limits', (signal) => api.listRateLimits(signal));
  const groupsNote = unavailable(groups);
  const limitsNote = unavailable(limits);
  const groupItems = groups.data?.items ?? [];
  const limitItems = limits.data?.items ?? [];
  return (
    <Section title="Job groups and rate limits" testId="flow">
      {groups.error && !groupsNote && <ProblemNotice error={groups.error} />}
      {limits.error && !limitsNote && <ProblemNotice error={limits.error} />}
      <h3>Job groups</h3>
      {groupsNote ? (
        <Placeholder>{groupsNote}</Placeholder>
      ) : groupItems.length === 0 ? (
        <Placeholder>{groups.loading ? 'Loading…' : 'No job groups: stage types run without a shared capacity.'}</Placeholder>
      ) : (
        <GroupsTable items={groupItems} />
      )}
      <h3>Rate limits</h3>
      {limitsNote ? (
        <Placeholder>{limitsNote}</Placeholder>
      ) : limitItems.length === 0 ? (
        <Placeholder>{limits.loading ? 'Loading…' : 'No rate limits.'}</Placeholder>
      ) : (
        <RateLimitsTable items={limitItems} />
      )}
    </Section>
  );
}
