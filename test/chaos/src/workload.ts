// The chaos workload: `jobs` jobs of `tasksPerJob` tasks spread over one or two stages (the second stage opens
// only when the first completes, so stage unlocking is exercised under failure too). Retries are quick and
// plentiful: a task whose worker is killed several times must come back, not fail for good.
import type { ProducerClient } from '@jobnik/sdk';

export const STAGE_TYPES = ['chaos-a', 'chaos-b'] as const;

export interface Workload {
  jobs: number;
  tasksPerJob: number;
  stages: 1 | 2;
  maxAttempts: number;
}

/** Creates the jobs (idempotent keys: the create is retried safely) and returns their ids. */
export async function submitWorkload(producer: ProducerClient, runId: string, w: Workload): Promise<string[]> {
  const ids: string[] = [];
  const perStage = Math.ceil(w.tasksPerJob / w.stages);
  for (let j = 0; j < w.jobs; j++) {
    const stages = Array.from({ length: w.stages }, (_, s) => {
      const n = Math.min(perStage, w.tasksPerJob - s * perStage);
      return {
        type: STAGE_TYPES[s]!,
        taskDefaults: { maxAttempts: w.maxAttempts, backoff: { baseMs: 100, maxMs: 1_000, jitter: 0.2 } },
        tasks: Array.from({ length: n }, (_, i) => ({ data: { job: j, stage: s, i } })),
      };
    });
    const job = await producer.createJob('chaos', { idempotencyKey: `${runId}-${j}`, stages });
    ids.push(job.id);
  }
  return ids;
}
