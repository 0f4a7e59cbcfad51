// Cron expressions with time zones: parsed (and rejected with a clear 400) in one place.
import { Cron } from 'croner';
import { ValidationError } from './errors.js';

export function parseCron(expression: string, timezone: string): Cron {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ValidationError(`time zone ${timezone} is not a known IANA zone`, [{ path: '/body/timezone', message: 'unknown time zone' }]);
  }
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone, paused: true });
    cron.nextRun(); // some mistakes only show when a run is computed
  } catch (err) {
    throw new ValidationError(`cron "${expression}" is not valid: ${(err as Error).message}`, [{ path: '/body/cron', message: (err as Error).message }]);
  }
  // A day that no month has (30 February) parses, then never comes: refused rather than a schedule that never fires.
  if (cron.nextRun() === null) {
    throw new ValidationError(`cron "${expression}" never fires`, [{ path: '/body/cron', message: 'matches no date' }]);
  }
  return cron;
}
