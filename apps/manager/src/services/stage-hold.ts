// A held stage (created with hold, or /v1's startAsWaiting) waits, with its tasks, until it is released — whatever
// the stages before it do — so its tasks can be added over many requests without workers finishing it between two
// of them. Released, it opens at once if the stages before it are done, else when they are (settle's advanceJob).
import type { Queryable } from '../db/db.js';
import type { Audit } from '../domain/audit.js';
import { jobMachine } from '../domain/job-machine.js';
import { emptyOutcome, type SettleOutcome } from '../domain/settle-outcome.js';
import { stageIsOpen } from '../domain/stage-machine.js';
import { taskTotalOf } from '../store/rollup.js';
import type { JobRow, StageRow } from '../store/rows.js';
import { releaseHold, setStageStatus, stageStatesOfJob } from '../store/stages.js';
import { openStage } from './settle.js';

/** Whether the stage can be released: held and still WAITING (a held stage that was suspended is resumed first). */
export function isReleasable(stage: Pick<StageRow, 'held' | 'status'>): boolean {
  return stage.held && stage.status === 'WAITING';
}

/** Releases a held stage, locked with its job by the caller; returns what the caller publishes (the stage type woken). */
export async function releaseStageHold(tx: Queryable, stage: StageRow, job: JobRow, audit: Audit): Promise<SettleOutcome> {
  const out = emptyOutcome();
  await releaseHold(tx, stage.id);
  // Without tasks it is an ordinary empty stage: its first tasks decide its status.
  if (taskTotalOf(stage) === 0) {
    await setStageStatus(tx, [stage.id], 'CREATED', audit);
    return out;
  }
  const earlier = (await stageStatesOfJob(tx, job.id)).filter((s) => s.ord < stage.ord).map((s) => s.status);
  if (stageIsOpen(job.parallel_stages, earlier) && !jobMachine.isFinal(job.status)) await openStage(tx, { id: stage.id, type: stage.type }, job.status === 'PAUSED', out, audit);
  return out;
}
