// Jobs list: filters, sort and page live in the URL (reload, share, back/forward all work); rows refresh live.
import { useLocation, useSearch } from 'wouter';
import { api } from '../../api/endpoints.js';
import { Pager } from '../../components/pager.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { Placeholder } from '../../components/section.js';
import { usePolling } from '../../hooks/use-polling.js';
import { isFiltered, jobFiltersToApiQuery, jobFiltersToSearch, parseJobFilters, withFilters, type JobFilters } from '../../lib/job-filters.js';
import { JobFiltersForm } from './job-filters-form.js';
import { JobsTable } from './jobs-table.js';

export function JobsPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const filters = parseJobFilters(search);
  const apiQuery = jobFiltersToApiQuery(filters);
  const jobs = usePolling(`/jobs${apiQuery}`, (signal) => api.listJobs(apiQuery, signal));

  const show = (next: JobFilters) => navigate(`/jobs${jobFiltersToSearch(next)}`);
  const items = jobs.data?.items ?? [];
  // The form is rebuilt from the URL whenever the URL's filters change (apply, back/forward).
  const formKey = jobFiltersToSearch({ ...filters, cursor: '' });

  return (
    <div className="page">
      <h1 className="page__title">Jobs</h1>
      <JobFiltersForm key={formKey} filters={filters} onApply={show} />
      <section className="card" aria-label="Jobs" data-testid="jobs">
        {jobs.error && <ProblemNotice error={jobs.error} />}
        {items.length === 0 ? (
          <Placeholder>{jobs.loading ? 'Loading…' : isFiltered(filters) ? 'No jobs match these filters.' : 'No jobs yet.'}</Placeholder>
        ) : (
          <JobsTable jobs={items} sort={filters.sort} onSort={(sort) => show(withFilters(filters, { sort }))} />
        )}
        <Pager
          shown={items.length}
          atFirst={!filters.cursor}
          nextCursor={jobs.data?.nextCursor}
          onFirst={() => show(withFilters(filters, {}))}
          onNext={(cursor) => show({ ...filters, cursor })}
        />
      </section>
    </div>
  );
}
