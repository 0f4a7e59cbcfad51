import { describe, expect, it } from 'vitest';
import { ALL_ACTIVE_QUEUES, parseQueueFilters, queueFiltersToSearch, withQueueFilters } from './queue-filters.js';

describe('queue filters in the overview URL', () => {
  it('reads the defaults from an empty query and ignores other parameters', () => {
    expect(parseQueueFilters('')).toEqual(ALL_ACTIVE_QUEUES);
    expect(parseQueueFilters('?status=FAILED&cursor=x')).toEqual(ALL_ACTIVE_QUEUES);
  });

  it('round-trips idle, tenant and a cursor with URL-unsafe characters', () => {
    const f = { showIdle: true, tenant: 'acme & co', cursor: 'eyJ0IjoiYSJ9+/=' };
    const search = queueFiltersToSearch(f);
    expect(search).toBe('?queues=all&queuesTenant=acme%20%26%20co&queuesCursor=eyJ0IjoiYSJ9%2B%2F%3D');
    expect(parseQueueFilters(search)).toEqual(f);
  });

  it('leaves the defaults out, so the plain overview keeps a plain URL', () => {
    expect(queueFiltersToSearch(ALL_ACTIVE_QUEUES)).toBe('');
  });

  it('keeps the parameters that are not the queue list’s', () => {
    expect(queueFiltersToSearch({ showIdle: false, tenant: 't-1', cursor: '' }, '?other=1&queuesCursor=old')).toBe('?other=1&queuesTenant=t-1');
  });

  it('starts again from the first page when a filter changes, not when it is set to what it was', () => {
    const onPage2 = { showIdle: false, tenant: 't-1', cursor: 'c2' };
    expect(withQueueFilters(onPage2, { tenant: 't-2' })).toEqual({ showIdle: false, tenant: 't-2', cursor: '' });
    expect(withQueueFilters(onPage2, { showIdle: true })).toEqual({ showIdle: true, tenant: 't-1', cursor: '' });
    expect(withQueueFilters(onPage2, { tenant: 't-1' })).toBe(onPage2);
  });
});
