// Push wake-ups for long-polling dequeues. Writers NOTIFY the stage types that got ready tasks (one
// NOTIFY per transaction, payload "type1,type2"); every manager replica LISTENs and wakes its waiters.
import type { Db, Queryable } from '../db/db.js';
import { notify } from '../store/notify.js';

export const READY_CHANNEL = 'jobnik_ready';

/** Queues a wake-up for the stage types; PostgreSQL delivers it when the transaction commits. */
export async function notifyReady(tx: Queryable, stageTypes: Iterable<string>): Promise<void> {
  const types = [...new Set(stageTypes)];
  if (types.length === 0) return;
  await notify(tx, READY_CHANNEL, types.join(','));
}

type Waiter = () => void;

export class ReadySignal {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private unlisten: (() => Promise<void>) | null = null;

  async start(db: Db): Promise<void> {
    this.unlisten = await db.listen(READY_CHANNEL, (payload) => this.wake(payload.split(',')));
  }

  /** Once stopped (the manager is closing), parked dequeues answer at once and new ones do not wait. */
  closed = false;

  async stop(): Promise<void> {
    this.closed = true;
    await this.unlisten?.();
    this.unlisten = null;
    for (const set of this.waiters.values()) for (const w of set) w();
    this.waiters.clear();
  }

  wake(stageTypes: Iterable<string>): void {
    for (const type of stageTypes) {
      const set = this.waiters.get(type);
      if (!set) continue;
      this.waiters.delete(type);
      for (const w of set) w();
    }
  }

  /**
   * Arms a wake-up for the types before the caller looks for work, so a NOTIFY that lands between
   * the empty query and the wait is not missed. `woken` resolves on the first signal.
   */
  arm(stageTypes: string[]): { woken: Promise<void>; disarm(): void } {
    let fire!: () => void;
    const woken = new Promise<void>((resolve) => (fire = resolve));
    const waiter = () => fire();
    for (const t of stageTypes) {
      let set = this.waiters.get(t);
      if (!set) this.waiters.set(t, (set = new Set()));
      set.add(waiter);
    }
    return {
      woken,
      disarm: () => {
        for (const t of stageTypes) this.waiters.get(t)?.delete(waiter);
      },
    };
  }

  get waiting(): number {
    let n = 0;
    for (const s of this.waiters.values()) n += s.size;
    return n;
  }
}
