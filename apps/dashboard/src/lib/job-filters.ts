// The jobs list's filters, sort and page as URL state: parsed leniently from the page's query string
// (a hand-edited or stale URL still opens), written back canonically, and turned into GET /jobs's query.
import type { JobSort, JobStatus, Priority } from '../api/api-types.js';
import { JOB_SORTS, JOB_STATUSES, PRIORITIES } from './statuses.js';
import { listParam, toQueryString } from './query-string.js';

export const DEFAULT_SORT: JobSort = '-createdAt';
export const PAGE_SIZES = [20, 50, 100] as const;
export const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

export interface JobFilters {
  statuses: JobStatus[];
  priorities: Priority[];
  name: string;
  tenantId: string;
  /** RFC 3339 timestamps, or '' for no bound. */
  createdAfter: string;
  createdBefore: string;
  sort: JobSort;
  limit: number;
  /** Opaque cursor of the page shown; '' for the first page. */
  cursor: string;
}

export const EMPTY_FILTERS: Readonly<JobFilters> = Object.freeze({
  statuses: [],
  priorities: [],
  name: '',
  tenantId: '',
  createdAfter: '',
  createdBefore: '',
  sort: DEFAULT_SORT,
  limit: DEFAULT_LIMIT,
  cursor: '',
});

/** Known values of `all` found in `given`, in `all`'s order, each once. */
function pick<T extends string>(all: readonly T[], given: readonly string[]): T[] {
  const set = new Set(given.map((v) => v.toUpperCase()));
  return all.filter((v) => set.has(v));
}

function timestamp(value: string | null): string {
  if (!value) return '';
  const t = Date.parse(value);
  return Number.isNaN(t) ? '' : new Date(t).toISOString();
}

function limitOf(value: string | null): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= MAX_LIMIT ? n : DEFAULT_LIMIT;
}

/** Reads filters from a query string ("?status=FAILED&sort=priority" or without the "?"). */
export function parseJobFilters(search: string): JobFilters {
  const p = new URLSearchParams(search);
  const sort = p.get('sort') ?? '';
  return {
    statuses: pick(JOB_STATUSES, listParam(p, 'status')),
    priorities: pick(PRIORITIES, listParam(p, 'priority')),
    name: (p.get('name') ?? '').trim(),
    tenantId: (p.get('tenantId') ?? '').trim(),
    createdAfter: timestamp(p.get('createdAfter')),
    createdBefore: timestamp(p.get('createdBefore')),
    sort: (JOB_SORTS as readonly string[]).includes(sort) ? (sort as JobSort) : DEFAULT_SORT,
    limit: limitOf(p.get('limit')),
    cursor: p.get('cursor') ?? '',
  };
}

/** The page's query string for `f`, defaults left out, so equal filters give equal URLs. */
export function jobFiltersToSearch(f: JobFilters): string {
  return toQueryString({
    status: f.statuses,
    priority: f.priorities,
    name: f.name,
    tenantId: f.tenantId,
    createdAfter: f.createdAfter,
    createdBefore: f.createdBefore,
    sort: f.sort === DEFAULT_SORT ? '' : f.sort,
    limit: f.limit === DEFAULT_LIMIT ? '' : f.limit,
    cursor: f.cursor,
  });
}

/** The query string of GET /jobs for `f`. */
export function jobFiltersToApiQuery(f: JobFilters): string {
  return toQueryString({
    status: f.statuses,
    name: f.name,
    priority: f.priorities,
    tenantId: f.tenantId,
    createdAfter: f.createdAfter,
    createdBefore: f.createdBefore,
    sort: f.sort,
    limit: f.limit,
    cursor: f.cursor,
  });
}

/** `f` with `patch` applied; any change but the cursor's starts again from the first page. */
export function withFilters(f: JobFilters, patch: Partial<JobFilters>): JobFilters {
  return { ...f, cursor: '', ...patch };
}

export type SortField = 'createdAt' | 'updatedAt' | 'priority';

/** Clicking a column: a new column sorts descending first, the same column flips direction. */
export function toggleSort(current: JobSort, field: SortField): JobSort {
  if (current === `-${field}`) return field;
  return `-${field}`;
}

/** Which way `field` is sorted now, for aria-sort. */
export function sortDirection(current: JobSort, field: SortField): 'ascending' | 'descending' | 'none' {
  if (current === field) return 'ascending';
  if (current === `-${field}`) return 'descending';
  return 'none';
}

/** True when any filter narrows the list (sort, size and page aside). */
export function isFiltered(f: JobFilters): boolean {
  return Boolean(f.statuses.length || f.priorities.length || f.name || f.tenantId || f.createdAfter || f.createdBefore);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** An RFC 3339 timestamp as the value of an <input type="datetime-local"> in the reader's time zone. */
export function isoToLocalInput(iso: string): string {
  const t = Date.parse(iso);
  if (!iso || Number.isNaN(t)) return '';
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of an <input type="datetime-local"> (reader's time zone) as an RFC 3339 timestamp. */
export function localInputToIso(value: string): string {
  if (!value) return '';
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? '' : new Date(t).toISOString();
}
