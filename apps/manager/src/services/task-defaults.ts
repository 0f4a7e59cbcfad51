// Resolves a task's execution settings: the task's own, else its stage's taskDefaults, else the manager's.
import type { CreateTask, JobType, TaskSettings } from '@jobnik/contracts';

export interface ManagerTaskDefaults {
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number; jitter: number };
  timeoutMs: number | null;
}

export interface ResolvedSettings {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  backoffJitter: number;
  timeoutMs: number | null;
}

export function resolveSettings(task: CreateTask, stage: TaskSettings | undefined, base: ManagerTaskDefaults): ResolvedSettings {
  const backoff = { ...base.backoff, ...stripUndefined(stage?.backoff), ...stripUndefined(task.backoff) };
  return {
    maxAttempts: task.maxAttempts ?? stage?.maxAttempts ?? base.maxAttempts,
    backoffBaseMs: backoff.baseMs,
    backoffMaxMs: Math.max(backoff.maxMs, 0),
    backoffJitter: backoff.jitter,
    timeoutMs: task.timeoutMs !== undefined ? task.timeoutMs : stage?.timeoutMs !== undefined ? stage.timeoutMs : base.timeoutMs,
  };
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The manager's defaults overlaid with a job type's (its unset fields keep the manager's). */
export function defaultsForJobType(base: ManagerTaskDefaults, type: JobType | null): ManagerTaskDefaults {
  if (!type) return base;
  const d = type.defaults;
  return {
    maxAttempts: d.maxAttempts ?? base.maxAttempts,
    backoff: { ...base.backoff, ...stripUndefined(d.backoff) },
    timeoutMs: d.timeoutMs !== undefined ? d.timeoutMs : base.timeoutMs,
  };
}
