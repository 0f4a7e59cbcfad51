// Cancel, suspend, resume and retry for jobs, stages and tasks. Waiting and pending tasks change at
// once; running ones change status too and learn it from their next heartbeat (cancel / suspend).
import type { Job, JobStatus, Stage, StageStatus, Task } from '@jobnik/contracts';
import type { Db, Queryable } from '../db/db.js';
import type { Audit } from '../domain/audit.js';
import type { TenantScope } from '../domain/caller.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { assertJobAction, assertStageAction } from '../domain/lifecycle-actions.js';
import { jobMachine } from '../domain/job-machine.js';
import { stageIsOpen, stageMachine } from '../domain/stage-machine.js';
import { taskMachine } from '../domain/task-machine.js';
import { lockJob, setJobStatus } from '../store/jobs.js';
import type { JobRow, StageRow } from '../store/rows.js';
import { lockStageWithJob, lockStagesOfJob, setStageStatus, stageStatesOfJob } from '../store/stages.js';
import { getTask, transitionTasks } from '../store/tasks.js';
import type { ReadService } from './read-service.js';
import { emptyOutcome, type SettleOutcome } from '../domain/settle-outcome.js';
import { endJob, publish, settle } from './settle.js';
import { isReleasable, releaseStageHold } from './stage-hold.js';

export class LifecycleService {
  constructor(
    private readonly db: Db,
    private readonly reads: ReadService,
    /** history.enabled */
    private readonly history: boolean,
  ) {}

  private audit(actor: string): Audit {
    return { actor, record: this.history };
  }

  private async inTx(fn: (tx: Queryable, out: SettleOutcome) => Promise<void>): Promise<void> {
    await this.db.transaction(async (tx) => {
      const out = emptyOutcome();
      await fn(tx, out);
      await publish(tx, out);
    });
  }

  private async lockedJob(tx: Queryable, id: string, scope: TenantScope): Promise<JobRow> {
    const job = await lockJob(tx, id, scope);
    if (!job) throw new NotFoundError('job', id);
    return job;
  }

  async cancelJob(id: string, scope: TenantScope, actor: string): Promise<Job> {
    const a = this.audit(actor);
    await this.inTx(async (tx, out) => {
      const job = await this.lockedJob(tx, id, scope);
      assertJobAction(id, 'cancel', job.status);
      jobMachine.assert(id, job.status, 'ABORTED');
      await endJob(tx, id, 'ABORTED', out, a);
    });
    return this.reads.mustGetJob(id, scope);
  }

  async suspendJob(id: string, scope: TenantScope, actor: string): Promise<Job> {
    const a = this.audit(actor);
    await this.inTx(async (tx) => {
      const job = await this.lockedJob(tx, id, scope);
      assertJobAction(id, 'suspend', job.status);
      jobMachine.assert(id, job.status, 'PAUSED');
      const stages = await lockStagesOfJob(tx, id);
      const running = stages.filter((s) => s.status === 'PENDING' || s.status === 'IN_PROGRESS').map((s) => s.id);
      await transitionTasks(tx, { stageIds: running }, ['PENDING', 'IN_PROGRESS'], 'PAUSED', 'pause', a);
      await setStageStatus(tx, running, 'PAUSED', a);
      await setJobStatus(tx, id, 'PAUSED', a);
    });
    return this.reads.mustGetJob(id, scope);
  }

  async resumeJob(id: string, scope: TenantScope, actor: string): Promise<Job> {
    const a = this.audit(actor);
    await this.inTx(async (tx, out) => {
      const job = await this.lockedJob(tx, id, scope);
      assertJobAction(id, 'resume', job.status);
      const to: JobStatus = job.started_at ? 'IN_PROGRESS' : 'PENDING';
      jobMachine.assert(id, job.status, to);
      const stages = (await lockStagesOfJob(tx, id)).filter((s) => s.status === 'PAUSED');
      await this.resumeStages(tx, job, stages, out, a);
      await setJobStatus(tx, id, to, a);
    });
    return this.reads.mustGetJob(id, scope);
  }

  /**
   * Resumes suspended stages. A stage whose earlier stages are all complete (or whose job runs stages in
   * parallel) goes back to work with its paused and still-waiting tasks; one that is not open yet goes back
   * to WAITING and opens when the stage before it completes.
   */
  private async resumeStages(tx: Queryable, job: JobRow, stages: StageRow[], out: SettleOutcome, a: Audit): Promise<void> {
    if (stages.length === 0) return;
    const all = await stageStatesOfJob(tx, job.id);
    // A held stage goes back to WAITING, as it was: only its release opens it.
    const open = stages.filter((s) => !s.held && stageIsOpen(job.parallel_stages, all.filter((e) => e.ord < s.ord).map((e) => e.status)));
    const closed = stages.filter((s) => !open.includes(s));
    const moved = await transitionTasks(tx, { stageIds: open.map((s) => s.id) }, ['PAUSED', 'WAITING'], 'PENDING', 'resume', a);
    for (const s of open) await setStageStatus(tx, [s.id], s.started_at ? 'IN_PROGRESS' : 'PENDING', a);
    await setStageStatus(tx, closed.map((s) => s.id), 'WAITING', a);
    for (const t of moved.stageTypes) out.wake.add(t);
    // Tasks that completed while paused may have finished a stage.
    await settle(tx, moved.stages, a, out);
  }

  /** Reopens a failed or aborted job: its unfinished stages get fresh attempts, in order. */
  async retryJob(id: string, scope: TenantScope, actor: string): Promise<Job> {
    const a = this.audit(actor);
    await this.inTx(async (tx, out) => {
      const job = await this.lockedJob(tx, id, scope);
      assertJobAction(id, 'retry', job.status);
      jobMachine.assert(id, job.status, 'PENDING');
      const stages = (await lockStagesOfJob(tx, id)).filter((s) => s.status !== 'COMPLETED');
      let first = true;
      for (const s of stages) {
        if (s.status === 'CREATED') continue;
        const open = !s.held && (job.parallel_stages || first);
        const to: StageStatus = open ? 'PENDING' : 'WAITING';
        stageMachine.assert(s.id, s.status, to);
        const moved = await transitionTasks(tx, { stageIds: [s.id] }, ['FAILED', 'ABORTED'], to, 'retry', a);
        if (open) for (const t of moved.stageTypes) out.wake.add(t);
        await setStageStatus(tx, [s.id], to, a);
        first = false;
      }
      await setJobStatus(tx, id, 'PENDING', a);
    });
    return this.reads.mustGetJob(id, scope);
  }

  private async lockedStage(tx: Queryable, id: string, scope: TenantScope): Promise<{ stage: StageRow; job: JobRow }> {
    const locked = await lockStageWithJob(tx, id, scope);
    if (!locked) throw new NotFoundError('stage', id);
    return locked;
  }

  /** Releases a stage created with hold: it opens now if the stages before it are done, else when they are. */
  async releaseStage(id: string, scope: TenantScope, actor: string): Promise<Stage> {
    const a = this.audit(actor);
    await this.inTx(async (tx, out) => {
      const { stage, job } = await this.lockedStage(tx, id, scope);
      if (!isReleasable(stage)) {
        throw new ConflictError('ILLEGAL_TRANSITION', stage.held ? `stage ${id} is ${stage.status}; a held stage is released while WAITING (resume it first)` : `stage ${id} is not held; only a stage created with hold is released`);
      }
      const released = await releaseStageHold(tx, stage, job, a);
      for (const t of released.wake) out.wake.add(t);
    });
    return this.reads.mustGetStage(id, scope);
  }

  /** Aborting a stage ends its job: later stages could never run. */
  async cancelStage(id: string, scope: TenantScope, actor: string): Promise<Stage> {
    const a = this.audit(actor);
    await this.inTx(async (tx, out) => {
      const { stage, job } = await this.lockedStage(tx, id, scope);
      assertStageAction(id, 'cancel', stage.status);
      stageMachine.assert(id, stage.status, 'ABORTED');
      await transitionTasks(tx, { stageIds: [id] }, ['WAITING', 'PENDING', 'IN_PROGRESS', 'PAUSED'], 'ABORTED', 'abort', a);
      await setStageStatus(tx, [id], 'ABORTED', a);
      out.finishedStages.push({ id, jobId: job.id, status: 'ABORTED' });
      await endJob(tx, job.id, 'ABORTED', out, a);
    });
    return this.reads.mustGetStage(id, scope);
  }

  async suspendStage(id: string, scope: TenantScope, actor: string): Promise<Stage> {
    const a = this.audit(actor);
    await this.inTx(async (tx) => {
      const { stage } = await this.lockedStage(tx, id, scope);
      assertStageAction(id, 'suspend', stage.status);
      stageMachine.assert(id, stage.status, 'PAUSED');
      await transitionTasks(tx, { stageIds: [id] }, ['PENDING', 'IN_PROGRESS'], 'PAUSED', 'pause', a);
      await setStageStatus(tx, [id], 'PAUSED', a);
    });
    return this.reads.mustGetStage(id, scope);
  }

  async resumeStage(id: string, scope: TenantScope, actor: string): Promise<Stage> {
    const a = this.audit(actor);
    await this.inTx(async (tx, out) => {
      const { stage, job } = await this.lockedStage(tx, id, scope);
      assertStageAction(id, 'resume', stage.status);
      const to = stage.started_at ? 'IN_PROGRESS' : 'PENDING';
      stageMachine.assert(id, stage.status, to);
      if (job.status === 'PAUSED') await setJobStatus(tx, job.id, job.started_at ? 'IN_PROGRESS' : 'PENDING', a);
      await this.resumeStages(tx, job, [stage], out, a);
    });
    return this.reads.mustGetStage(id, scope);
  }

  async cancelTask(id: string, scope: TenantScope, actor: string): Promise<Task> {
    const a = this.audit(actor);
    await this.inTx(async (tx, out) => {
      const task = await getTask(tx, id, scope);
      if (!task) throw new NotFoundError('task', id);
      taskMachine.assert(id, task.status, 'ABORTED');
      await lockJob(tx, task.jobId, null);
      const moved = await transitionTasks(tx, { taskIds: [id] }, taskMachine.sourcesOf('ABORTED'), 'ABORTED', 'abort', a);
      await settle(tx, moved.stages, a, out);
    });
    return this.reads.mustGetTask(id, scope);
  }
}
