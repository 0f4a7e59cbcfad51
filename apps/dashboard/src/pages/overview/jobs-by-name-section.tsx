// Job counts by name and status; each count links to the jobs list filtered to it.
import { Link } from 'wouter';
import type { JobStatus, Stats } from '../../api/api-types.js';
import { Placeholder, Section } from '../../components/section.js';
import type { Polled } from '../../hooks/use-polling.js';
import { formatCount } from '../../lib/format.js';
import { EMPTY_FILTERS, jobFiltersToSearch, withFilters } from '../../lib/job-filters.js';
import { JOB_STATUSES, toneOf } from '../../lib/statuses.js';

function jobsLink(name: string, status?: JobStatus): string {
  return `/jobs${jobFiltersToSearch(withFilters(EMPTY_FILTERS, { name, statuses: status ? [status] : [] }))}`;
}

export function JobsByNameSection({ stats }: { stats: Polled<Stats> }) {
  const rows = stats.data?.jobsByName ?? [];
  return (
    <Section title="Jobs by name" testId="jobs-by-name">
      {rows.length === 0 ? (
        <Placeholder>{stats.loading ? 'Loading…' : 'No jobs yet.'}</Placeholder>
      ) : (
        <div className="table-wrap">
          <table className="table table--compact">
            <caption className="sr-only">Number of jobs by name and status</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                {JOB_STATUSES.map((s) => (
                  <th scope="col" key={s} className="num">
                    <span className={`dot dot--${toneOf(s)}`} aria-hidden="true" />
                    {s}
                  </th>
                ))}
                <th scope="col" className="num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const total = Object.values(r.counts).reduce((a, b) => a + b, 0);
                return (
                  <tr key={r.name} data-testid="job-name-row" data-name={r.name}>
                    <th scope="row">
                      <Link href={jobsLink(r.name)}>{r.name}</Link>
                    </th>
                    {JOB_STATUSES.map((s) => {
                      const n = r.counts[s] ?? 0;
                      return (
                        <td key={s} className="num" data-status={s}>
                          {n ? (
                            <Link href={jobsLink(r.name, s)} aria-label={`${n} ${s} ${r.name} jobs`}>
                              {formatCount(n)}
                            </Link>
                          ) : (
                            <span className="muted">0</span>
                          )}
                        </td>
                      );
                    })}
                    <td className="num">{formatCount(total)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
