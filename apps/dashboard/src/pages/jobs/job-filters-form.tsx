// The jobs list's filter form. Edits stay a draft until "Apply"; sort and page size apply at once.
import { useId, useState, type FormEvent } from 'react';
import type { JobSort } from '../../api/api-types.js';
import { EMPTY_FILTERS, PAGE_SIZES, isoToLocalInput, localInputToIso, withFilters, type JobFilters } from '../../lib/job-filters.js';
import { JOB_SORTS, JOB_STATUSES, PRIORITIES } from '../../lib/statuses.js';

const SORT_LABELS: Record<JobSort, string> = {
  '-createdAt': 'Newest first',
  createdAt: 'Oldest first',
  '-updatedAt': 'Recently updated first',
  updatedAt: 'Least recently updated first',
  '-priority': 'Lowest priority first',
  priority: 'Highest priority first',
};

interface Draft {
  statuses: string[];
  priorities: string[];
  name: string;
  tenantId: string;
  createdAfter: string;
  createdBefore: string;
}

function draftOf(f: JobFilters): Draft {
  return {
    statuses: f.statuses,
    priorities: f.priorities,
    name: f.name,
    tenantId: f.tenantId,
    createdAfter: isoToLocalInput(f.createdAfter),
    createdBefore: isoToLocalInput(f.createdBefore),
  };
}

function toggled(list: string[], value: string, on: boolean): string[] {
  return on ? [...list, value] : list.filter((v) => v !== value);
}

function CheckboxGroup({ legend, values, chosen, onChange, name }: { legend: string; values: readonly string[]; chosen: string[]; onChange: (next: string[]) => void; name: string }) {
  return (
    <fieldset className="checks">
      <legend>{legend}</legend>
      {values.map((v) => (
        <label key={v} className="check">
          <input type="checkbox" name={name} value={v} checked={chosen.includes(v)} onChange={(e) => onChange(toggled(chosen, v, e.target.checked))} />
          {v}
        </label>
      ))}
    </fieldset>
  );
}

export function JobFiltersForm({ filters, onApply }: { filters: JobFilters; onApply: (f: JobFilters) => void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(filters));
  const id = useId();
  const patch = (p: Partial<Draft>) => setDraft((d) => ({ ...d, ...p }));

  const fromDraft = (extra: Partial<JobFilters> = {}): JobFilters =>
    // Back through the URL parser's rules, so the form and a typed URL agree on what is valid.
    withFilters(filters, {
      statuses: JOB_STATUSES.filter((s) => draft.statuses.includes(s)),
      priorities: PRIORITIES.filter((p) => draft.priorities.includes(p)),
      name: draft.name.trim(),
      tenantId: draft.tenantId.trim(),
      createdAfter: localInputToIso(draft.createdAfter),
      createdBefore: localInputToIso(draft.createdBefore),
      ...extra,
    });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(fromDraft());
  };

  return (
    <form className="card filters" onSubmit={submit} aria-label="Job filters" data-testid="job-filters">
      <div className="filters__row">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} name="name" type="search" value={draft.name} onChange={(e) => patch({ name: e.target.value })} placeholder="e.g. tile-export" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-tenant`}>Tenant</label>
          <input id={`${id}-tenant`} name="tenantId" type="search" value={draft.tenantId} onChange={(e) => patch({ tenantId: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-after`}>Created after</label>
          <input id={`${id}-after`} name="createdAfter" type="datetime-local" value={draft.createdAfter} onChange={(e) => patch({ createdAfter: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-before`}>Created before</label>
          <input id={`${id}-before`} name="createdBefore" type="datetime-local" value={draft.createdBefore} onChange={(e) => patch({ createdBefore: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-sort`}>Sort</label>
          <select id={`${id}-sort`} name="sort" value={filters.sort} onChange={(e) => onApply(fromDraft({ sort: e.target.value as JobSort }))}>
            {JOB_SORTS.map((s) => (
              <option key={s} value={s}>
                {SORT_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-limit`}>Per page</label>
          <select id={`${id}-limit`} name="limit" value={filters.limit} onChange={(e) => onApply(fromDraft({ limit: Number(e.target.value) }))}>
            {(PAGE_SIZES as readonly number[]).includes(filters.limit) ? null : <option value={filters.limit}>{filters.limit}</option>}
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="filters__row">
        <CheckboxGroup legend="Status" name="status" values={JOB_STATUSES} chosen={draft.statuses} onChange={(statuses) => patch({ statuses })} />
        <CheckboxGroup legend="Priority" name="priority" values={PRIORITIES} chosen={draft.priorities} onChange={(priorities) => patch({ priorities })} />
      </div>
      <div className="filters__buttons">
        <button type="submit" className="button button--primary">
          Apply filters
        </button>
        <button type="button" className="button" onClick={() => onApply({ ...EMPTY_FILTERS, sort: filters.sort, limit: filters.limit })}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
