// Stages with all their tasks: deciding each stage's and task's first status by the stage-open rule (planStages,
// which a job's creation writes in its one statement), and writing them to an existing job (one statement per
// table): POST /jobs/{id}/stages.
import type { CreateStage, CreateTask, StageStatus, TaskSettings } from '@jobnik/contracts';
import type { Queryable } from '../db/db.js';
import { newTaskStatus } from '../domain/stage-machine.js';
import { ensureQueues } from '../store/queues.js';
import { insertStages, type NewStage } from '../store/stages.js';
import type { NewTreeTask } from '../store/job-tree.js';
import { insertTasks, type NewTask, type NewTaskFields } from '../store/tasks.js';
import { type ManagerTaskDefaults, resolveSettings } from './task-defaults.js';

/** What decides the new stages' and tasks' first statuses and settings. */
export interface StagePlan {
  /** The job's priority, stored 0..4. */
  priority: number;
  /** The order of the first stage given. */
  firstOrd: number;
  parallel: boolean;
  /** Whether the first stage given is open (every earlier stage completed); later ones open only when the job is parallel. */
  firstOpen: boolean;
  jobPaused: boolean;
  taskDefaults: ManagerTaskDefaults;
}

/** Stages appended to an existing job. */
export interface StageBatch extends StagePlan {
  jobId: string;
  tenantId: string;
}

/** What inserting stages writes, decided before: the stage rows, their tasks (by the index of their stage) and the stage types woken. */
export interface PlannedStages {
  stages: NewStage[];
  /** Each task with its stage's ord (one object per task: a 50,000-task request is not copied again). */
  tasks: NewTreeTask[];
  /** Stage types that got PENDING tasks. */
  wake: Set<string>;
}

/** Decides each stage's and task's first status by the stage-open rule, and the stages' counters. */
export function planStages(batch: StagePlan, queueIds: Map<string, number>, stages: CreateStage[]): PlannedStages {
  const wake = new Set<string>();
  const planned: PlannedStages = { stages: [], tasks: [], wake };
  stages.forEach((s, i) => {
    const n = s.tasks?.length ?? 0;
    const held = s.hold ?? false;
    // A held stage waits, with its tasks, until released (an empty one too: its first tasks must not open it).
    const taskStatus = held ? 'WAITING' : newTaskStatus(i === 0 ? batch.firstOpen : batch.parallel, batch.jobPaused);
    const status: StageStatus = held ? 'WAITING' : n === 0 ? 'CREATED' : taskStatus;
    if (n > 0 && taskStatus === 'PENDING') wake.add(s.type);
    const queueId = queueIds.get(s.type)!;
    const stageOrd = batch.firstOrd + i;
    planned.stages.push({
      ord: stageOrd,
      type: s.type,
      queueId,
      status,
      data: s.data ?? null,
      userMetadata: s.userMetadata ?? {},
      failFast: s.failFast ?? true,
      held,
      taskDefaults: s.taskDefaults ?? {},
      nWaiting: taskStatus === 'WAITING' ? n : 0,
      nPending: taskStatus === 'PENDING' ? n : 0,
      nPaused: taskStatus === 'PAUSED' ? n : 0,
    });
    for (const t of s.tasks ?? []) planned.tasks.push(Object.assign(taskFields(t, s.taskDefaults, queueId, batch.priority, taskStatus, batch.taskDefaults), { stageOrd }));
  });
  return planned;
}

/** Inserts the stages with their tasks; returns the new stages' ids and the stage types that got PENDING tasks. */
export async function insertStagesWithTasks(tx: Queryable, batch: StageBatch, stages: CreateStage[]): Promise<{ stageIds: string[]; wake: Set<string> }> {
  if (stages.length === 0) return { stageIds: [], wake: new Set() };
  const queueIds = await ensureQueues(tx, batch.tenantId, stages.map((s) => s.type));
  const planned = planStages(batch, queueIds, stages);
  const stageIds = await insertStages(tx, batch.jobId, planned.stages);
  await insertTasks(tx, batch.jobId, planned.tasks, (t) => stageIds[t.stageOrd - batch.firstOrd]!, false);
  return { stageIds, wake: planned.wake };
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
  return Object.assign(taskFields(t, stageDefaults, queueId, priority, status, base), { stageId });
}

function taskFields(
  t: CreateTask,
  stageDefaults: TaskSettings | null | undefined,
  queueId: number,
  priority: number,
  status: NewTask['status'],
  base: ManagerTaskDefaults,
): NewTaskFields {
  return {
    queueId,
    priority,
    status,
    data: t.data ?? null,
    userMetadata: t.userMetadata ?? {},
    ...resolveSettings(t, stageDefaults ?? undefined, base),
    runAfter: t.runAfter ?? null,
  };
}
