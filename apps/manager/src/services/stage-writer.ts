// Writes stages with all their tasks (one statement per table), deciding each stage's and task's first
// status by the stage-open rule. Used by job creation, POST /jobs/{id}/stages and the scheduler.
import type { CreateStage, CreateTask, StageStatus, TaskSettings } from '@jobnik/contracts';
import type { Queryable } from '../db/db.js';
import { newTaskStatus } from '../domain/stage-machine.js';
import { ensureQueues } from '../store/queues.js';
import { insertStages, type NewStage } from '../store/stages.js';
import { insertTasks, type NewTask } from '../store/tasks.js';
import { type ManagerTaskDefaults, resolveSettings } from './task-defaults.js';

export interface StageBatch {
  jobId: string;
  tenantId: string;
  /** The job's priority, stored 0..4. */
  priority: number;
  /** The order of the first stage given. */
  firstOrd: number;
  parallel: boolean;
  /** Whether the first stage given is open (every earlier stage completed); later ones open only when the job is parallel. */
  firstOpen: boolean;
  jobPaused: boolean;
  taskDefaults: ManagerTaskDefaults;
  /** Stage type → queue id, when resolved before the transaction. */
  queueIds?: Map<string, number>;
}

/** Inserts the stages with their tasks; returns the new stages' ids and the stage types that got PENDING tasks. */
export async function insertStagesWithTasks(tx: Queryable, batch: StageBatch, stages: CreateStage[]): Promise<{ stageIds: string[]; wake: Set<string> }> {
  const wake = new Set<string>();
  if (stages.length === 0) return { stageIds: [], wake };
  const queueIds = batch.queueIds ?? (await ensureQueues(tx, batch.tenantId, stages.map((s) => s.type)));
  const plans = stages.map((s, i) => {
    const n = s.tasks?.length ?? 0;
    const taskStatus = newTaskStatus(i === 0 ? batch.firstOpen : batch.parallel, batch.jobPaused);
    const status: StageStatus = n === 0 ? 'CREATED' : taskStatus;
    if (n > 0 && taskStatus === 'PENDING') wake.add(s.type);
    return { s, taskStatus, status, n };
  });
  const newStages: NewStage[] = plans.map(({ s, status, taskStatus, n }, i) => ({
    ord: batch.firstOrd + i,
    type: s.type,
    queueId: queueIds.get(s.type)!,
    status,
    data: s.data ?? null,
    userMetadata: s.userMetadata ?? {},
    failFast: s.failFast ?? true,
    taskDefaults: s.taskDefaults ?? {},
    nWaiting: taskStatus === 'WAITING' ? n : 0,
    nPending: taskStatus === 'PENDING' ? n : 0,
    nPaused: taskStatus === 'PAUSED' ? n : 0,
  }));
  const stageIds = await insertStages(tx, batch.jobId, newStages);
  const tasks: NewTask[] = [];
  plans.forEach(({ s, taskStatus }, i) => {
    for (const t of s.tasks ?? []) tasks.push(newTask(t, s.taskDefaults, stageIds[i]!, queueIds.get(s.type)!, batch.priority, taskStatus, batch.taskDefaults));
  });
  await insertTasks(tx, batch.jobId, tasks, false);
  return { stageIds, wake };
}

/** A task row to insert: its own data and settings, falling back to its stage's and the manager's defaults. */
export function newTask(
  t: CreateTask,
  stageDefaults: TaskSettings | null | undefined,
  stageId: string,
  queueId: number,
  priority: number,
  status: NewTask['status'],
  base: ManagerTaskDefaults,
): NewTask {
  return {
    stageId,
    queueId,
    priority,
    status,
    data: t.data ?? null,
    userMetadata: t.userMetadata ?? {},
    ...resolveSettings(t, stageDefaults ?? undefined, base),
    runAfter: t.runAfter ?? null,
  };
}
