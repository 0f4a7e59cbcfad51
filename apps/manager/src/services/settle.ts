// Roll-up, second half: once a statement has updated stage counters, decide which stages reached a
// final state and carry the consequences to the job (complete it, fail it, or open the next stage).
// Every transaction that changes task statuses ends in publish(): wake-ups and webhook events.
import { FINAL_STAGE_STATUSES, type TaskStatus } from '@jobnik/contracts';
import type { Queryable } from '../db/db.js';
import type { Audit } from '../domain/audit.js';
import { jobMachine } from '../domain/job-machine.js';
import { emptyOutcome, type SettleOutcome } from '../domain/settle-outcome.js';
import { settledStatus, stageMachine } from '../domain/stage-machine.js';
import { lockJob, setJobStatus } from '../store/jobs.js';
import { countsOf, type StageCountersRow } from '../store/rollup.js';
import type { StageState } from '../store/rows.js';
import { setStageStatus, stageStatesOfJob } from '../store/stages.js';
import { transitionTasks } from '../store/tasks.js';
import { notifyReady } from './ready-signal.js';
import { enqueueSettled } from './webhook-outbox.js';

const OPEN_TASKS: readonly TaskStatus[] = ['WAITING', 'PENDING', 'IN_PROGRESS', 'PAUSED'];

/** The last step of a transaction that changed statuses: wake the workers waiting on its stage types, write its webhook events. */
export async function publish(tx: Queryable, out: SettleOutcome): Promise<void> {
  await notifyReady(tx, out.wake);
  await enqueueSettled(tx, out);
}

/** Applies every consequence of the counter changes in `rows`, inside the caller's transaction; `audit` names who caused them. */
export async function settle(tx: Queryable, rows: StageCountersRow[], audit: Audit, out: SettleOutcome = emptyOutcome()): Promise<SettleOutcome> {
  const latest = new Map<string, StageCountersRow>();
  for (const r of rows) latest.set(r.id, r);
  for (const r of latest.values()) {
    const target = settledStatus(r.status, r.fail_fast, countsOf(r));
    if (!target) continue;
    await setStageStatus(tx, [r.id], target, audit);
    out.finishedStages.push({ id: r.id, jobId: r.job_id, status: target });
    if (target !== 'COMPLETED') {
      await transitionTasks(tx, { stageIds: [r.id] }, OPEN_TASKS, 'ABORTED', 'abort', audit);
      await endJob(tx, r.job_id, target === 'FAILED' ? 'FAILED' : 'ABORTED', out, audit);
    } else {
      await advanceJob(tx, r.job_id, out, audit);
    }
  }
  return out;
}

/** Ends the job: every open stage is aborted with its open tasks. `reason` is recorded with the job's transition. */
export async function endJob(tx: Queryable, jobId: string, status: 'FAILED' | 'ABORTED', out: SettleOutcome, audit: Audit, reason: unknown = null): Promise<void> {
  const job = await lockJob(tx, jobId, null);
  if (!job || jobMachine.isFinal(job.status)) return;
  const ids = (await stageStatesOfJob(tx, jobId)).filter((s) => !FINAL_STAGE_STATUSES.includes(s.status)).map((s) => s.id);
  await transitionTasks(tx, { stageIds: ids }, OPEN_TASKS, 'ABORTED', 'abort', audit);
  await setStageStatus(tx, ids, 'ABORTED', audit);
  for (const id of ids) out.finishedStages.push({ id, jobId, status: 'ABORTED' });
  await setJobStatus(tx, jobId, status, audit, reason);
  out.finishedJobs.push({ id: jobId, status });
}

/** A stage completed: complete the job, or open the next stage if it is waiting. */
async function advanceJob(tx: Queryable, jobId: string, out: SettleOutcome, audit: Audit): Promise<void> {
  const job = await lockJob(tx, jobId, null);
  if (!job || jobMachine.isFinal(job.status)) return;
  const stages = await stageStatesOfJob(tx, jobId);
  if (stages.every((s) => s.status === 'COMPLETED')) {
    await setJobStatus(tx, jobId, 'COMPLETED', audit);
    out.finishedJobs.push({ id: jobId, status: 'COMPLETED' });
    return;
  }
  if (job.parallel_stages) return;
  const next = stages.find((s) => s.status !== 'COMPLETED');
  // A held stage (/v1 startAsWaiting) stays WAITING until it is released.
  if (next?.status === 'WAITING' && !next.held) await openStage(tx, next, job.status === 'PAUSED', out, audit);
}

/** WAITING → PENDING (or PAUSED when the job is suspended), with its tasks. */
export async function openStage(tx: Queryable, stage: Pick<StageState, 'id' | 'type'>, paused: boolean, out: SettleOutcome, audit: Audit): Promise<void> {
  const to = paused ? 'PAUSED' : 'PENDING';
  stageMachine.assert(stage.id, 'WAITING', to);
  await setStageStatus(tx, [stage.id], to, audit);
  await transitionTasks(tx, { stageIds: [stage.id] }, ['WAITING'], to, 'open', audit);
  if (!paused) out.wake.add(stage.type);
}
