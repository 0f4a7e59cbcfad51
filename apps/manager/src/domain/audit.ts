// Who caused a change, as the history records it ("actor"), and whether history is recorded at all
// (config history.enabled). Pure: services build one per request or loop round and hand it to the store.
import type { Caller } from './caller.js';

export interface Audit {
  /** `key:<API key name>`, `anonymous` (auth off), `worker:<id>`, `sweeper`, `schedule:<id>`, `timeout`, `system`. */
  readonly actor: string;
  /** history.enabled: false = the statements write no history rows. */
  readonly record: boolean;
}

export function auditOf(actor: string, record: boolean): Audit {
  return { actor, record };
}

/** The actor of an API call: the key's name (its id when it has none), `anonymous` with auth off. */
export function actorOfCaller(caller: Pick<Caller, 'keyId' | 'keyName'>): string {
  if (caller.keyName) return `key:${caller.keyName}`;
  if (caller.keyId) return `key:${caller.keyId}`;
  return 'anonymous';
}

export const SWEEPER_ACTOR = 'sweeper';
export const TIMEOUT_ACTOR = 'timeout';

export function workerActor(workerId: string): string {
  return `worker:${workerId}`;
}

export function scheduleActor(scheduleId: string): string {
  return `schedule:${scheduleId}`;
}
