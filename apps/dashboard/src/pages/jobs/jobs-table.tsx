// One row per job: name (a link to its page), status, priority, progress, creation and last update.
import { Link } from 'wouter';
import type { Job, JobSort } from '../../api/api-types.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { RelativeTime } from '../../components/relative-time.js';
import { StatusBadge } from '../../components/status-badge.js';
import { shortId } from '../../lib/format.js';
import { sortDirection, toggleSort, type SortField } from '../../lib/job-filters.js';
import { toneOf } from '../../lib/statuses.js';

function SortableHeader({ field, label, sort, onSort }: { field: SortField; label: string; sort: JobSort; onSort: (s: JobSort) => void }) {
  const dir = sortDirection(sort, field);
  const arrow = dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '';
  return (
    <th scope="col" aria-sort={dir}>
      <button type="button" className="sort" onClick={() => onSort(toggleSort(sort, field))} data-testid={`sort-${field}`}>
        {label}
        <span className="sort__arrow" aria-hidden="true">
          {arrow}
        </span>
      </button>
    </th>
  );
}

export function JobsTable({ jobs, sort, onSort }: { jobs: Job[]; sort: JobSort; onSort: (s: JobSort) => void }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="jobs-table">
        <caption className="sr-only">Jobs</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <SortableHeader field="priority" label="Priority" sort={sort} onSort={onSort} />
            <th scope="col">Progress</th>
            <th scope="col">Tenant</th>
            <SortableHeader field="createdAt" label="Created" sort={sort} onSort={onSort} />
            <SortableHeader field="updatedAt" label="Updated" sort={sort} onSort={onSort} />
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id} data-testid="job-row" data-job-id={job.id} data-status={job.status}>
              <th scope="row">
                <Link href={`/jobs/${job.id}`} className="job-link">
                  {job.name}
                </Link>
                <span className="mono muted job-link__id">{shortId(job.id)}</span>
              </th>
              <td>
                <StatusBadge status={job.status} />
              </td>
              <td>
                <span className={`priority priority--${job.priority}`}>{job.priority}</span>
              </td>
              <td className="cell-progress">
                <ProgressBar percent={job.percentage} label={`Progress of ${job.name}`} tone={toneOf(job.status)} />
              </td>
              <td>{job.tenantId}</td>
              <td>
                <RelativeTime iso={job.createdAt} />
              </td>
              <td>
                <RelativeTime iso={job.updatedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
