// Cron expressions with time zones: parsed (and rejected with a clear 400) in one place.
import { Cron } from 'croner';
import { ValidationError } from './errors.js';

export function parseCron(expression: string, timezone: string): Cron {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ValidationError(`time zone ${timezone} is not a known IANA zone`, [{ path: '/body/timezone', message: 'unknown time zone' }]);
  }
  try {
    const cron = new Cron(expression, { timezone, paused: true });
    cron.nextRun(); // some mistakes only show when a run is computed
    return cron;
  } catch (err) {
    throw new ValidationError(`cron "${expression}" is not valid: ${(err as Error).message}`, [{ path: '/body/cron', message: (err as Error).message }]);
  }
}
