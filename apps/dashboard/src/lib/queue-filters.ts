// The overview's queue list in the page's URL (reload, share, back/forward keep it): idle queues shown or not, one
// tenant's queues, and the page (the API's opaque cursor). Its own parameter names, so other sections may add theirs.
import { toQueryString } from './query-string.js';

export interface QueueFilters {
  /** Idle queues too (a queue stays after its work is done), not only those with work. */
  showIdle: boolean;
  /** One tenant's queues; '' for every tenant's. */
  tenant: string;
  /** Opaque cursor of the page shown; '' for the first page. */
  cursor: string;
}

export const ALL_ACTIVE_QUEUES: QueueFilters = { showIdle: false, tenant: '', cursor: '' };

/** Reads the queue list's filters from the page's query string (with or without the "?"); other parameters are ignored. */
export function parseQueueFilters(search: string): QueueFilters {
  const p = new URLSearchParams(search);
  return { showIdle: p.get('queues') === 'all', tenant: (p.get('queuesTenant') ?? '').trim(), cursor: p.get('queuesCursor') ?? '' };
}

/** The page's query string for `f`, keeping the parameters of `search` that are not the queue list's; defaults left out. */
export function queueFiltersToSearch(f: QueueFilters, search = ''): string {
  const others = Object.fromEntries([...new URLSearchParams(search)].filter(([k]) => !['queues', 'queuesTenant', 'queuesCursor'].includes(k)));
  return toQueryString({ ...others, queues: f.showIdle ? 'all' : '', queuesTenant: f.tenant, queuesCursor: f.cursor });
}

/** `f` with `patch` applied; a change of filter starts again from the first page. */
export function withQueueFilters(f: QueueFilters, patch: Partial<Omit<QueueFilters, 'cursor'>>): QueueFilters {
  const next = { ...f, ...patch };
  return next.showIdle === f.showIdle && next.tenant === f.tenant ? f : { ...next, cursor: '' };
}
