// Roll-up, second half: once a statement has updated stage counters, decide which stages reached a
// final state and carry the consequences to the job (complete it, fail it, or open the next stage).
import type { JobStatus, StageStatus } from '@jobnik/contracts';
import type { Queryable, Row } from '../db/db.js';
import { jobMachine } from '../domain/job-machine.js';
import { settledStatus, stageMachine } from '../domain/stage-machine.js';
import { setJobStatus } from '../store/jobs.js';
import { countsOf, type StageCountersRow } from '../store/rollup.js';
import { setStageStatus } from '../store/stages.js';
import { transitionTasks } from '../store/tasks.js';

const OPEN_TASKS = ['WAITING', 'PENDING', 'IN_PROGRESS', 'PAUSED'] as const;

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

/** Applies every consequence of the counter changes in `rows`, inside the caller's transaction. */
export async function settle(tx: Queryable, rows: StageCountersRow[], out: SettleOutcome = emptyOutcome()): Promise<SettleOutcome> {
  const latest = new Map<string, StageCountersRow>();
  for (const r of rows) latest.set(r.id, r);
  for (const r of latest.values()) {
    const target = settledStatus(r.status as StageStatus, r.fail_fast, countsOf(r));
    if (!target) continue;
    await setStageStatus(tx, [r.id], target);
    out.finishedStages.push({ id: r.id, jobId: r.job_id, status: target });
    if (target !== 'COMPLETED') {
      await transitionTasks(tx, { stageIds: [r.id] }, OPEN_TASKS, 'ABORTED', 'finished_at = now()');
      await endJob(tx, r.job_id, target === 'FAILED' ? 'FAILED' : 'ABORTED', out);
    } else {
      await advanceJob(tx, r.job_id, out);
    }
  }
  return out;
}

/** Ends the job: every open stage is aborted with its open tasks. */
export async function endJob(tx: Queryable, jobId: string, status: 'FAILED' | 'ABORTED', out: SettleOutcome): Promise<void> {
  const job = (await tx.query<{ status: JobStatus }>('SELECT status FROM jobs WHERE id = $1 FOR UPDATE', [jobId]))[0];
  if (!job || jobMachine.isFinal(job.status)) return;
  const open = await tx.query<{ id: string }>(
    `SELECT id FROM stages WHERE job_id = $1 AND status NOT IN ('COMPLETED', 'FAILED', 'ABORTED')`,
    [jobId],
  );
  const ids = open.map((s) => s.id);
  await transitionTasks(tx, { stageIds: ids }, OPEN_TASKS, 'ABORTED', 'finished_at = now()');
  await setStageStatus(tx, ids, 'ABORTED');
  for (const id of ids) out.finishedStages.push({ id, jobId, status: 'ABORTED' });
  await setJobStatus(tx, jobId, status);
  out.finishedJobs.push({ id: jobId, status });
}

/** A stage completed: complete the job, or open the next stage if it is waiting. */
async function advanceJob(tx: Queryable, jobId: string, out: SettleOutcome): Promise<void> {
  const job = (await tx.query<{ status: JobStatus; parallel_stages: boolean }>('SELECT status, parallel_stages FROM jobs WHERE id = $1 FOR UPDATE', [jobId]))[0];
  if (!job || jobMachine.isFinal(job.status)) return;
  const stages = await tx.query<Row & { id: string; status: StageStatus; type: string }>('SELECT id, status, type FROM stages WHERE job_id = $1 ORDER BY ord', [jobId]);
  if (stages.every((s) => s.status === 'COMPLETED')) {
    await setJobStatus(tx, jobId, 'COMPLETED');
    out.finishedJobs.push({ id: jobId, status: 'COMPLETED' });
    return;
  }
  if (job.parallel_stages) return;
  const next = stages.find((s) => s.status !== 'COMPLETED');
  if (next?.status === 'WAITING') await openStage(tx, next, job.status === 'PAUSED', out);
}

/** WAITING → PENDING (or PAUSED when the job is suspended), with its tasks. */
export async function openStage(tx: Queryable, stage: { id: string; type: string }, paused: boolean, out: SettleOutcome): Promise<void> {
  const to = paused ? 'PAUSED' : 'PENDING';
  stageMachine.assert(stage.id, 'WAITING', to);
  await setStageStatus(tx, [stage.id], to);
  await transitionTasks(tx, { stageIds: [stage.id] }, ['WAITING'], to);
  if (!paused) out.wake.add(stage.type);
}
