// The directives long-poll: answers a worker with the tasks it runs that were cancelled or suspended — at
// once if there are any, else as soon as a notification names one, else empty at waitMs (or at once when
// the manager is closing, so a parked poll never holds up its shutdown).
import type { DirectivesResponse } from '@jobnik/contracts';
import type { Db } from '../db/db.js';
import { stoppedTasks } from '../store/directives.js';
import type { DirectiveSignal } from './directive-signal.js';

export interface DirectivesInput {
  workerId: string;
  scope: string | null;
  tasks: { taskId: string; leaseToken: string }[];
  waitMs: number;
}

export class DirectiveService {
  constructor(
    private readonly db: Db,
    private readonly signal: DirectiveSignal,
  ) {}

  async poll(input: DirectivesInput, abort?: AbortSignal): Promise<DirectivesResponse> {
    const deadline = Date.now() + input.waitMs;
    const ticket = this.signal.arm(input.workerId);
    try {
      for (;;) {
        const rows = await stoppedTasks(this.db, { workerId: input.workerId, scope: input.scope, leases: input.tasks, notified: [...new Set(ticket.notified)] });
        if (rows.length > 0) return { tasks: rows.map((r) => ({ taskId: r.id, directive: r.status === 'PAUSED' ? 'suspend' : 'cancel' })) };
        const left = deadline - Date.now();
        if (left <= 0 || abort?.aborted || this.signal.closed) return { tasks: [] };
        await waitFirst(ticket.next(), left, abort);
      }
    } finally {
      ticket.disarm();
    }
  }
}

/** Resolves when `woken` does, after `ms`, or when `abort` fires, whichever comes first; leaves no timer behind. */
function waitFirst(woken: Promise<void>, ms: number, abort?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      abort?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    abort?.addEventListener('abort', done, { once: true });
    void woken.then(done);
  });
}
