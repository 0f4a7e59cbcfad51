// Idempotent appends: what an idempotencyKey added — tasks to a stage (task_batches, per stage) or a stage to a job
// (stage_keys, per job) — with the request's hash. Read and written with the stage or job locked, so appends under
// one key are serialized.
import type { Queryable } from '../db/db.js';

export interface TaskBatch {
  requestHash: string;
  taskIds: string[];
}

/** The tasks this key already added to the stage, if any. */
export async function findTaskBatch(tx: Queryable, stageId: string, key: string): Promise<TaskBatch | null> {
  const rows = await tx.query<{ request_hash: string; task_ids: string[] }>('SELECT request_hash, task_ids FROM task_batches WHERE stage_id = $1 AND idempotency_key = $2', [stageId, key]);
  return rows[0] ? { requestHash: rows[0].request_hash, taskIds: rows[0].task_ids } : null;
}

export async function recordTaskBatch(tx: Queryable, stageId: string, key: string, batch: TaskBatch): Promise<void> {
  await tx.query('INSERT INTO task_batches (stage_id, idempotency_key, request_hash, task_ids) VALUES ($1, $2, $3, $4::uuid[])', [stageId, key, batch.requestHash, batch.taskIds]);
}

export interface StageKey {
  requestHash: string;
  stageId: string;
}

/** The stage this key already added to the job, if any. */
export async function findStageKey(tx: Queryable, jobId: string, key: string): Promise<StageKey | null> {
  const rows = await tx.query<{ request_hash: string; stage_id: string }>('SELECT request_hash, stage_id FROM stage_keys WHERE job_id = $1 AND idempotency_key = $2', [jobId, key]);
  return rows[0] ? { requestHash: rows[0].request_hash, stageId: rows[0].stage_id } : null;
}

export async function recordStageKey(tx: Queryable, jobId: string, key: string, added: StageKey): Promise<void> {
  await tx.query('INSERT INTO stage_keys (job_id, idempotency_key, request_hash, stage_id) VALUES ($1, $2, $3, $4)', [jobId, key, added.requestHash, added.stageId]);
}
