// Friendlier list filters than the wire query strings: arrays for comma-separated enums, Dates for timestamps.
import type { JOB_SORTS, JobStatus, Priority, TaskStatus } from '@jobnik/contracts';

type OneOrMany<T> = T | readonly T[];

export interface ListJobsFilter<N extends string = string> {
  status?: OneOrMany<JobStatus>;
  name?: N;
  priority?: OneOrMany<Priority>;
  tenantId?: string;
  createdAfter?: Date | string;
  createdBefore?: Date | string;
  /** Default `-createdAt`. */
  sort?: (typeof JOB_SORTS)[number];
  /** Page size, 1–1000 (default 50). */
  limit?: number;
  cursor?: string;
}

export interface ListTasksFilter<T extends string = string> {
  jobId?: string;
  stageId?: string;
  stageType?: T;
  status?: OneOrMany<TaskStatus>;
  tenantId?: string;
  limit?: number;
  cursor?: string;
}

export interface ListQueuesFilter<T extends string = string> {
  tenantId?: string;
  /** Only the queues of this stage type (one per tenant). */
  stageType?: T;
  /** Only queues with work that has not ended (an open stage); a tenant's queue stays, idle, after its work is done. */
  active?: boolean;
}

/** The wire query: arrays joined with commas, Dates as RFC 3339, booleans as true/false, undefined dropped. */
export function toQuery(filter: object): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(filter)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) out[k] = v.join(',');
    else if (v instanceof Date) out[k] = v.toISOString();
    else if (typeof v === 'boolean') out[k] = String(v);
    else out[k] = v as string | number;
  }
  return out;
}

/** Walks every page of a cursor-paginated list. */
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
  firstCursor?: string,
): AsyncGenerator<T, void, undefined> {
  let cursor = firstCursor;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.items;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

/** Every item of every page, in one array (Array.fromAsync needs Node 22). */
export async function allPages<T>(fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of paginate(fetchPage)) all.push(item);
  return all;
}
