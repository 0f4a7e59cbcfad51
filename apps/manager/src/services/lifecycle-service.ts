// Cancel, suspend, resume and retry for jobs, stages and tasks. Waiting and pending tasks change at
// once; running ones change status too and learn it from their next heartbeat (cancel / suspend).
import type { Job, JobStatus, Stage, StageStatus, Task } from '@jobnik/contracts';
import type { Db, Queryable, Row } from '../db/db.js';
import { NotFoundError } from '../domain/errors.js';
import { jobMachine } from '../domain/job-machine.js';
import { stageMachine } from '../domain/stage-machine.js';
import { taskMachine } from '../domain/task-machine.js';
import { lockJob, setJobStatus, type TenantScope } from '../store/jobs.js';
import { getStage, lockStageWithJob, lockStagesOfJob, setStageStatus } from '../store/stages.js';
import { getTask, transitionTasks } from '../store/tasks.js';
import type { JobService } from './job-service.js';
import { notifyReady } from './ready-signal.js';
import { emptyOutcome, endJob, settle, type SettleOutcome } from './settle.js';

/** A running task that is paused gives its attempt back: it did not fail. */
const PAUSE_SET = `attempts = CASE WHEN target.old_status = 'IN_PROGRESS' THEN GREATEST(t.attempts - 1, 0) ELSE t.attempts END`;
const ABORT_SET = 'finished_at = now()';
const RETRY_SET = `attempts = 0, run_after = now(), finished_at = NULL, result = NULL, progress = 0`;

export type SettleListener = (tx: Queryable, outcome: SettleOutcome) => Promise<void>;

export class LifecycleService {
  constructor(
    private readonly db: Db,
    private readonly jobs: JobService,
    private readonly onSettled: SettleListener = async () => undefined,
  ) {}

  private async inTx(fn: (tx: Queryable, out: SettleOutcome) => Promise<void>): Promise<void> {
    await this.db.transaction(async (tx) => {
      const out = emptyOutcome();
      await fn(tx, out);
      await notifyReady(tx, out.wake);
      await this.onSettled(tx, out);
    });
  }

  private async lockedJob(tx: Queryable, id: string, scope: TenantScope): Promise<Row> {
    const job = await lockJob(tx, id, scope);
    if (!job) throw new NotFoundError('job', id);
    return job;
  }

  async cancelJob(id: string, scope: TenantScope): Promise<Job> {
    await this.inTx(async (tx, out) => {
      const job = await this.lockedJob(tx, id, scope);
      jobMachine.assert(id, job.status as JobStatus, 'ABORTED');
      await endJob(tx, id, 'ABORTED', out);
    });
    return this.jobs.mustGet(id, scope);
  }

  async suspendJob(id: string, scope: TenantScope): Promise<Job> {
    await this.inTx(async (tx) => {
      const job = await this.lockedJob(tx, id, scope);
      jobMachine.assert(id, job.status as JobStatus, 'PAUSED');
      const stages = await lockStagesOfJob(tx, id);
      const running = stages.filter((s) => s.status === 'PENDING' || s.status === 'IN_PROGRESS').map((s) => s.id as string);
      await transitionTasks(tx, { stageIds: running }, ['PENDING', 'IN_PROGRESS'], 'PAUSED', PAUSE_SET);
      await setStageStatus(tx, running, 'PAUSED');
      await setJobStatus(tx, id, 'PAUSED');
    });
    return this.jobs.mustGet(id, scope);
  }

  async resumeJob(id: string, scope: TenantScope): Promise<Job> {
    await this.inTx(async (tx, out) => {
      const job = await this.lockedJob(tx, id, scope);
      const to: JobStatus = job.started_at ? 'IN_PROGRESS' : 'PENDING';
      jobMachine.assert(id, job.status as JobStatus, to);
      const stages = (await lockStagesOfJob(tx, id)).filter((s) => s.status === 'PAUSED');
      await this.resumeStages(tx, stages, out);
      await setJobStatus(tx, id, to);
    });
    return this.jobs.mustGet(id, scope);
  }

  private async resumeStages(tx: Queryable, stages: Row[], out: SettleOutcome): Promise<void> {
    const ids = stages.map((s) => s.id as string);
    const moved = await transitionTasks(tx, { stageIds: ids }, ['PAUSED'], 'PENDING');
    for (const s of stages) {
      await setStageStatus(tx, [s.id as string], s.started_at ? 'IN_PROGRESS' : 'PENDING');
    }
    for (const t of moved.stageTypes) out.wake.add(t);
    // Tasks that completed while paused may have finished a stage.
    await settle(tx, moved.stages, out);
  }

  /** Reopens a failed or aborted job: its unfinished stages get fresh attempts, in order. */
  async retryJob(id: string, scope: TenantScope): Promise<Job> {
    await this.inTx(async (tx, out) => {
      const job = await this.lockedJob(tx, id, scope);
      jobMachine.assert(id, job.status as JobStatus, 'PENDING');
      const stages = (await lockStagesOfJob(tx, id)).filter((s) => s.status !== 'COMPLETED');
      let first = true;
      for (const s of stages) {
        const open = (job.parallel_stages as boolean) || first;
        const status = s.status as StageStatus;
        if (status === 'CREATED') continue;
        const to = open ? 'PENDING' : 'WAITING';
        stageMachine.assert(s.id as string, status, to);
        const moved = await transitionTasks(tx, { stageIds: [s.id as string] }, ['FAILED', 'ABORTED'], to, RETRY_SET);
        if (open) for (const t of moved.stageTypes) out.wake.add(t);
        await setStageStatus(tx, [s.id as string], to);
        first = false;
      }
      await tx.query(`UPDATE jobs SET status = 'PENDING', finished_at = NULL, updated_at = now() WHERE id = $1`, [id]);
    });
    return this.jobs.mustGet(id, scope);
  }

  private async lockedStage(tx: Queryable, id: string, scope: TenantScope): Promise<{ stage: Row; job: Row }> {
    const locked = await lockStageWithJob(tx, id, scope);
    if (!locked) throw new NotFoundError('stage', id);
    return locked;
  }

  private async mustGetStage(id: string, scope: TenantScope): Promise<Stage> {
    const stage = await getStage(this.db, id, scope);
    if (!stage) throw new NotFoundError('stage', id);
    return stage;
  }

  /** Aborting a stage ends its job: later stages could never run. */
  async cancelStage(id: string, scope: TenantScope): Promise<Stage> {
    await this.inTx(async (tx, out) => {
      const { stage, job } = await this.lockedStage(tx, id, scope);
      stageMachine.assert(id, stage.status as StageStatus, 'ABORTED');
      await transitionTasks(tx, { stageIds: [id] }, ['WAITING', 'PENDING', 'IN_PROGRESS', 'PAUSED'], 'ABORTED', ABORT_SET);
      await setStageStatus(tx, [id], 'ABORTED');
      out.finishedStages.push({ id, jobId: job.id as string, status: 'ABORTED' });
      await endJob(tx, job.id as string, 'ABORTED', out);
    });
    return this.mustGetStage(id, scope);
  }

  async suspendStage(id: string, scope: TenantScope): Promise<Stage> {
    await this.inTx(async (tx) => {
      const { stage } = await this.lockedStage(tx, id, scope);
      stageMachine.assert(id, stage.status as StageStatus, 'PAUSED');
      await transitionTasks(tx, { stageIds: [id] }, ['PENDING', 'IN_PROGRESS'], 'PAUSED', PAUSE_SET);
      await setStageStatus(tx, [id], 'PAUSED');
    });
    return this.mustGetStage(id, scope);
  }

  async resumeStage(id: string, scope: TenantScope): Promise<Stage> {
    await this.inTx(async (tx, out) => {
      const { stage, job } = await this.lockedStage(tx, id, scope);
      const to = stage.started_at ? 'IN_PROGRESS' : 'PENDING';
      stageMachine.assert(id, stage.status as StageStatus, to);
      if (job.status === 'PAUSED') {
        await setJobStatus(tx, job.id as string, job.started_at ? 'IN_PROGRESS' : 'PENDING');
      }
      await this.resumeStages(tx, [stage], out);
    });
    return this.mustGetStage(id, scope);
  }

  async cancelTask(id: string, scope: TenantScope): Promise<Task> {
    await this.inTx(async (tx, out) => {
      const task = await getTask(tx, id, scope);
      if (!task) throw new NotFoundError('task', id);
      taskMachine.assert(id, task.status, 'ABORTED');
      await tx.query('SELECT id FROM jobs WHERE id = $1 FOR UPDATE', [task.jobId]);
      const moved = await transitionTasks(tx, { taskIds: [id] }, taskMachine.sourcesOf('ABORTED'), 'ABORTED', ABORT_SET);
      await settle(tx, moved.stages, out);
    });
    const task = await getTask(this.db, id, scope);
    return task!;
  }
}
