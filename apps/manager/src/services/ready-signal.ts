// Push wake-ups for long-polling dequeues. Writers NOTIFY the stage types that got ready tasks (one NOTIFY per
// transaction, a JSON array of [stageType, since] pairs); every manager replica LISTENs, wakes its waiters and
// lowers its scan marks (ScanMarks) to where the new tasks sort.
import type { Db, Queryable } from '../db/db.js';
import { notifyReadyTypes } from '../store/notify.js';

export const READY_CHANNEL = 'jobnik_ready';

/**
 * Queues a wake-up for the stage types; PostgreSQL delivers it when the transaction commits. `sinceNow`: every task
 * made ready sorts at or after the transaction's start (new tasks with the default runAfter); otherwise replicas
 * forget their scan marks of these types (a reopened stage or a resumed task keeps its old ready time).
 */
export async function notifyReady(tx: Queryable, stageTypes: Iterable<string>, sinceNow = false): Promise<void> {
  const types = [...new Set(stageTypes)];
  if (types.length === 0) return;
  await notifyReadyTypes(tx, READY_CHANNEL, types, sinceNow);
}

/** [stageType, since] pairs of a payload (an older replica's "type1,type2" too). */
export function parseReady(payload: string): [string, string | null][] {
  if (!payload.startsWith('[')) return payload.split(',').map((t) => [t, null]);
  try {
    const pairs = JSON.parse(payload) as unknown;
    if (!Array.isArray(pairs)) return [];
    return pairs.filter((p): p is [string, string | null] => Array.isArray(p) && typeof p[0] === 'string').map(([t, since]) => [t, typeof since === 'string' ? since : null]);
  } catch {
    return [];
  }
}

type Waiter = () => void;

export class ReadySignal {
  private readonly waiters = new Map<string, Set<Waiter>>();
  /**
   * Quiet-only dequeues' waiters (DequeueRequest.quietOnly) of every tenant: a signal wakes one of them per stage type,
   * the longest parked. They park while every worker's other slots are busy, so waking them all on each new task would
   * cost a statement per worker for work that one quiet slot takes (the others would find its queue no longer quiet).
   * A quiet poll of one tenant waits among the plain waiters: the one woken here must be able to take any tenant's task.
   */
  private readonly quietWaiters = new Map<string, Set<Waiter>>();
  private unlisten: (() => Promise<void>) | null = null;

  /** `onReady`: each stage type a writer made tasks ready in, with the earliest place they sort (null: unknown). */
  constructor(private readonly onReady: (stageType: string, since: string | null) => void = () => undefined) {}

  async start(db: Db): Promise<void> {
    this.unlisten = await db.listen(READY_CHANNEL, (payload) => {
      const pairs = parseReady(payload);
      for (const [type, since] of pairs) this.onReady(type, since);
      this.wake(pairs.map(([type]) => type));
    });
  }

  /** Once stopped (the manager is closing), parked dequeues answer at once and new ones do not wait. */
  closed = false;

  async stop(): Promise<void> {
    this.closed = true;
    await this.unlisten?.();
    this.unlisten = null;
    for (const map of [this.waiters, this.quietWaiters]) {
      for (const set of map.values()) for (const w of set) w();
      map.clear();
    }
  }

  wake(stageTypes: Iterable<string>): void {
    for (const type of stageTypes) {
      const set = this.waiters.get(type);
      if (set) {
        this.waiters.delete(type);
        for (const w of set) w();
      }
      const quiet = this.quietWaiters.get(type);
      const first = quiet?.values().next();
      if (!quiet || !first || first.done) continue;
      quiet.delete(first.value);
      if (quiet.size === 0) this.quietWaiters.delete(type);
      first.value();
    }
  }

  /**
   * Arms a wake-up for the types before the caller looks for work, so a NOTIFY that lands between
   * the empty query and the wait is not missed. `woken` resolves on the first signal. `quietAnyTenant`: a quiet-only
   * dequeue of every tenant's queues, woken one at a time (quietWaiters).
   */
  arm(stageTypes: string[], quietAnyTenant = false): { woken: Promise<void>; disarm(): void } {
    let fire!: () => void;
    const woken = new Promise<void>((resolve) => (fire = resolve));
    const waiter = () => fire();
    const map = quietAnyTenant ? this.quietWaiters : this.waiters;
    for (const t of stageTypes) {
      let set = map.get(t);
      if (!set) map.set(t, (set = new Set()));
      set.add(waiter);
    }
    return {
      woken,
      disarm: () => {
        for (const t of stageTypes) map.get(t)?.delete(waiter);
      },
    };
  }

  get waiting(): number {
    let n = 0;
    for (const map of [this.waiters, this.quietWaiters]) for (const s of map.values()) n += s.size;
    return n;
  }
}
