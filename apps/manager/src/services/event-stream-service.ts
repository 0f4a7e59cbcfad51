// The event streams (SSE): a client gets every history entry it may see — its tenant's, or one job's — in seq
// order, once: first what it missed since Last-Event-ID (read from the history), then live from the feed.
import type { HistoryEntry } from '@jobnik/contracts';
import type { Db } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { historySince } from '../store/history.js';
import type { EventFeed, FeedEntry } from './event-feed.js';
import type { ReadService } from './read-service.js';

export interface StreamFilter {
  scope: TenantScope;
  jobId: string | null;
}

export interface StreamSink {
  send(entries: HistoryEntry[]): void;
  /** Aborts when the client goes away or the manager closes. */
  signal: AbortSignal;
}

const BACKLOG_PAGE = 1000;

export class EventStreamService {
  private readonly open = new Set<AbortController>();

  constructor(
    private readonly db: Db,
    private readonly feed: EventFeed,
    private readonly reads: ReadService,
  ) {}

  /** 404 for a job outside the caller's scope: decided before the stream starts. */
  async check(filter: StreamFilter): Promise<void> {
    if (filter.jobId) await this.reads.mustGetJob(filter.jobId, filter.scope);
  }

  /** Streams until the sink's signal aborts (or the manager closes). `after`: the Last-Event-ID, null = live only. */
  async stream(filter: StreamFilter, after: number | null, sink: StreamSink): Promise<void> {
    const closer = new AbortController();
    this.open.add(closer);
    const matches = (e: FeedEntry) => (filter.scope === null || e.tenantId === filter.scope) && (filter.jobId === null || e.jobId === filter.jobId);
    let last = after ?? 0;
    let live = false;
    const buffered: FeedEntry[] = [];
    const deliver = (entries: FeedEntry[]) => {
      const out = entries.filter((e) => e.seq > last && matches(e)).map(({ tenantId: _t, ...e }) => e as HistoryEntry);
      if (out.length === 0) return;
      last = out[out.length - 1]!.seq;
      sink.send(out);
    };
    const sub = await this.feed.subscribe((entries) => (live ? deliver(entries) : buffered.push(...entries)));
    try {
      if (after === null) last = sub.horizon;
      // What the client missed, up to where the live feed took over.
      while (last < sub.horizon) {
        const page = (await historySince(this.db, last, BACKLOG_PAGE, filter.scope, filter.jobId)).filter((e) => e.seq <= sub.horizon);
        if (page.length === 0) break;
        deliver(page);
        if (page.length < BACKLOG_PAGE) break;
      }
      last = Math.max(last, sub.horizon);
      deliver(buffered.splice(0));
      live = true;
      await new Promise<void>((resolve) => {
        if (sink.signal.aborted || closer.signal.aborted) return resolve();
        sink.signal.addEventListener('abort', () => resolve(), { once: true });
        closer.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      sub.unsubscribe();
      this.open.delete(closer);
    }
  }

  /** Ends every open stream (the manager is closing). */
  close(): void {
    for (const c of this.open) c.abort();
    this.feed.close();
  }
}
