import { describe, expect, it } from 'vitest';
import {
  EMPTY_FILTERS,
  isFiltered,
  isoToLocalInput,
  jobFiltersToApiQuery,
  jobFiltersToSearch,
  localInputToIso,
  parseJobFilters,
  sortDirection,
  toggleSort,
  withFilters,
  type JobFilters,
} from './job-filters.js';

describe('parseJobFilters', () => {
  it('gives the defaults for an empty query', () => {
    expect(parseJobFilters('')).toEqual(EMPTY_FILTERS);
    expect(parseJobFilters('?')).toEqual(EMPTY_FILTERS);
  });

  it('reads every filter', () => {
    const f = parseJobFilters(
      '?status=FAILED,PENDING&priority=HIGH&name=tile-export&tenantId=acme&createdAfter=2025-01-01T00:00:00.000Z&createdBefore=2025-02-01T00:00:00%2B02:00&sort=priority&limit=20&cursor=abc%3D%3D',
    );
    expect(f).toEqual<JobFilters>({
      statuses: ['PENDING', 'FAILED'],
      priorities: ['HIGH'],
      name: 'tile-export',
      tenantId: 'acme',
      createdAfter: '2025-01-01T00:00:00.000Z',
      createdBefore: '2025-01-31T22:00:00.000Z',
      sort: 'priority',
      limit: 20,
      cursor: 'abc==',
    });
  });

  it('accepts repeated list parameters, any case, and drops unknown or repeated values', () => {
    const f = parseJobFilters('?status=failed&status=FAILED,BOGUS,completed&priority=low,,VERY_LOW');
    expect(f.statuses).toEqual(['COMPLETED', 'FAILED']);
    expect(f.priorities).toEqual(['LOW', 'VERY_LOW']);
  });

  it('falls back to defaults for values the manager would reject', () => {
    const f = parseJobFilters('?sort=name&limit=0&createdAfter=yesterday');
    expect(f.sort).toBe('-createdAt');
    expect(f.limit).toBe(50);
    expect(f.createdAfter).toBe('');
    expect(parseJobFilters('?limit=5000').limit).toBe(50);
    expect(parseJobFilters('?limit=2.5').limit).toBe(50);
  });
});

describe('jobFiltersToSearch', () => {
  it('writes nothing for the defaults', () => {
    expect(jobFiltersToSearch(EMPTY_FILTERS)).toBe('');
  });

  it('writes only what differs from the defaults, commas readable', () => {
    const f = withFilters(EMPTY_FILTERS, { statuses: ['PENDING', 'FAILED'], name: 'a b&c', sort: 'updatedAt', limit: 100 });
    expect(jobFiltersToSearch(f)).toBe('?status=PENDING,FAILED&name=a%20b%26c&sort=updatedAt&limit=100');
  });

  it('round-trips through the URL', () => {
    const f: JobFilters = {
      statuses: ['IN_PROGRESS', 'PAUSED'],
      priorities: ['VERY_HIGH', 'MEDIUM'],
      name: 'nightly.report:v2',
      tenantId: 'team-1',
      createdAfter: '2025-03-04T05:06:00.000Z',
      createdBefore: '2025-03-05T00:00:00.000Z',
      sort: '-priority',
      limit: 20,
      cursor: 'eyJpZCI6IjEyMyJ9+/=',
    };
    expect(parseJobFilters(jobFiltersToSearch(f))).toEqual(f);
  });
});

describe('jobFiltersToApiQuery', () => {
  it('always sends sort and limit, and the cursor of the page shown', () => {
    expect(jobFiltersToApiQuery(EMPTY_FILTERS)).toBe('?sort=-createdAt&limit=50');
    const f = withFilters(EMPTY_FILTERS, { statuses: ['FAILED', 'ABORTED'], priorities: ['LOW'], cursor: 'c1' });
    expect(jobFiltersToApiQuery(f)).toBe('?status=FAILED,ABORTED&priority=LOW&sort=-createdAt&limit=50&cursor=c1');
  });
});

describe('withFilters', () => {
  it('goes back to the first page when a filter changes', () => {
    const onPage2 = withFilters(EMPTY_FILTERS, { cursor: 'next' });
    expect(onPage2.cursor).toBe('next');
    expect(withFilters(onPage2, { name: 'x' }).cursor).toBe('');
    expect(withFilters(onPage2, { sort: 'priority' }).cursor).toBe('');
  });

  it('tells whether anything narrows the list', () => {
    expect(isFiltered(EMPTY_FILTERS)).toBe(false);
    expect(isFiltered(withFilters(EMPTY_FILTERS, { sort: 'priority', limit: 20 }))).toBe(false);
    expect(isFiltered(withFilters(EMPTY_FILTERS, { tenantId: 't' }))).toBe(true);
  });
});

describe('sorting by column', () => {
  it('sorts a new column descending, then flips', () => {
    expect(toggleSort('-createdAt', 'priority')).toBe('-priority');
    expect(toggleSort('-priority', 'priority')).toBe('priority');
    expect(toggleSort('priority', 'priority')).toBe('-priority');
    expect(toggleSort('-createdAt', 'createdAt')).toBe('createdAt');
  });

  it('reports the direction for aria-sort', () => {
    expect(sortDirection('-updatedAt', 'updatedAt')).toBe('descending');
    expect(sortDirection('updatedAt', 'updatedAt')).toBe('ascending');
    expect(sortDirection('updatedAt', 'createdAt')).toBe('none');
  });
});

describe('datetime-local inputs', () => {
  it('round-trips a minute-precision timestamp through the input value', () => {
    const iso = '2025-06-15T08:45:00.000Z';
    const local = isoToLocalInput(iso);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(localInputToIso(local)).toBe(iso);
  });

  it('reads empty or broken values as no bound', () => {
    expect(isoToLocalInput('')).toBe('');
    expect(isoToLocalInput('nope')).toBe('');
    expect(localInputToIso('')).toBe('');
    expect(localInputToIso('2025-13-45T99:99')).toBe('');
  });
});
