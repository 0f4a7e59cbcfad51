// Wake-ups for the directives long-poll. A trigger on tasks NOTIFYs '<workerId> <taskId>' when a running
// task is cancelled or suspended (migration 0005); every replica LISTENs and hands the task id to the polls
// parked for that worker. On PGlite the same channel is delivered in-process.
import type { Db } from '../db/db.js';
import { DIRECTIVES_CHANNEL } from '../store/directives.js';

/** One parked poll's view of the notifications for its worker, from arming until disarm(). */
export interface DirectiveTicket {
  /** Task ids named by notifications so far. */
  readonly notified: string[];
  /** Resolves at the next notification (at once if one came since the last call), or when the signal stops. */
  next(): Promise<void>;
  disarm(): void;
}

interface Waiter {
  notified: string[];
  pending: boolean;
  wake: (() => void) | undefined;
}

export class DirectiveSignal {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private unlisten: (() => Promise<void>) | null = null;
  private stopped = false;

  async start(db: Db): Promise<void> {
    this.unlisten = await db.listen(DIRECTIVES_CHANNEL, (payload) => {
      const space = payload.indexOf(' ');
      if (space > 0) this.notify(payload.slice(0, space), payload.slice(space + 1));
    });
  }

  /** The manager is closing: every parked poll answers now, and new ones do not wait. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.unlisten?.();
    this.unlisten = null;
    for (const set of this.waiters.values()) for (const w of set) this.fire(w);
  }

  get closed(): boolean {
    return this.stopped;
  }

  notify(workerId: string, taskId: string): void {
    const set = this.waiters.get(workerId);
    if (!set) return;
    for (const w of set) {
      w.notified.push(taskId);
      this.fire(w);
    }
  }

  /** Armed before the poll first looks, so a notification between that look and the wait is not missed. */
  arm(workerId: string): DirectiveTicket {
    const w: Waiter = { notified: [], pending: false, wake: undefined };
    let set = this.waiters.get(workerId);
    if (!set) this.waiters.set(workerId, (set = new Set()));
    set.add(w);
    return {
      notified: w.notified,
      next: () => {
        if (w.pending || this.stopped) {
          w.pending = false;
          return Promise.resolve();
        }
        return new Promise<void>((resolve) => (w.wake = resolve));
      },
      disarm: () => {
        set.delete(w);
        if (set.size === 0 && this.waiters.get(workerId) === set) this.waiters.delete(workerId);
      },
    };
  }

  private fire(w: Waiter): void {
    const wake = w.wake;
    w.wake = undefined;
    if (wake) wake();
    else w.pending = true;
  }

  /** Polls parked now (a gauge for /metrics). */
  get waiting(): number {
    let n = 0;
    for (const s of this.waiters.values()) n += s.size;
    return n;
  }
}
