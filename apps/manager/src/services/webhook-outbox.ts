// The webhook outbox's writing side: every transaction that settles stages or jobs writes their events
// in that transaction, so an event exists exactly when its state change committed.
import type { Queryable } from '../db/db.js';
import { enqueueWebhookEvents, type OutboxEvent } from '../store/webhooks.js';
import type { SettleOutcome } from '../domain/settle-outcome.js';

/** Turns a transaction's settled stages and jobs into outbox rows, in that transaction. */
export async function enqueueSettled(tx: Queryable, out: SettleOutcome): Promise<void> {
  const events: OutboxEvent[] = [
    ...out.finishedStages.map((s) => ({ job_id: s.jobId, stage_id: s.id, event: `stage.${s.status.toLowerCase()}`, status: s.status })),
    ...out.finishedJobs.map((j) => ({ job_id: j.id, stage_id: null, event: `job.${j.status.toLowerCase()}`, status: j.status })),
  ];
  await enqueueWebhookEvents(tx, events);
}
