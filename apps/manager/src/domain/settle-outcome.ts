// What one transaction's status changes led to, collected as it runs and published at its end
// (wake-ups for the stage types that got ready tasks, webhook events for what finished).
import type { JobStatus, StageStatus } from '@jobnik/contracts';

export interface SettleOutcome {
  /** Stage types that got tasks made PENDING. */
  wake: Set<string>;
  /** Jobs that reached a final status in this transaction. */
  finishedJobs: { id: string; status: JobStatus }[];
  finishedStages: { id: string; jobId: string; status: StageStatus }[];
}

export function emptyOutcome(): SettleOutcome {
  return { wake: new Set(), finishedJobs: [], finishedStages: [] };
}
