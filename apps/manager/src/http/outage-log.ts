// Requests answered 503 because the database cannot be reached, logged as an operator can read them during an
// outage: one line each, no stack trace (the cause is the database, not this code), and at most one a second with
// the count of those not logged since — a fleet of workers polling through an outage no longer floods the log.
import type { FastifyBaseLogger } from 'fastify';
import { errorLine } from '../db/db.js';

const EVERY_MS = 1_000;

/** One per HTTP app (a process may run several managers: the tests do). */
export class OutageLog {
  private lastLoggedAt = -Infinity;
  private notLogged = 0;

  unreachable(log: FastifyBaseLogger, err: unknown): void {
    const now = performance.now();
    if (now - this.lastLoggedAt < EVERY_MS) {
      this.notLogged++;
      return;
    }
    log.warn({ error: errorLine(err), notLoggedSince: this.notLogged }, 'database unreachable: request answered 503');
    this.lastLoggedAt = now;
    this.notLogged = 0;
  }
}
