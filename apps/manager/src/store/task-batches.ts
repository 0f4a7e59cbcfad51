// Idempotent appends of tasks to a stage: the batch an idempotencyKey added, with the request's hash and the new ids.
import type { Queryable } from '../db/db.js';

export interface TaskBatch {
  requestHash: string;
  taskIds: string[];
}

/** The batch this key already added to the stage, if any. Call with the stage locked (appends to it are serialized). */
export async function findTaskBatch(tx: Queryable, stageId: string, key: string): Promise<TaskBatch | null> {
  const rows = await tx.query<{ request_hash: string; task_ids: string[] }>('SELECT request_hash, task_ids FROM task_batches WHERE stage_id = $1 AND idempotency_key = $2', [stageId, key]);
  return rows[0] ? { requestHash: rows[0].request_hash, taskIds: rows[0].task_ids } : null;
}

export async function recordTaskBatch(tx: Queryable, stageId: string, key: string, batch: TaskBatch): Promise<void> {
  await tx.query('INSERT INTO task_batches (stage_id, idempotency_key, request_hash, task_ids) VALUES ($1, $2, $3, $4::uuid[])', [stageId, key, batch.requestHash, batch.taskIds]);
}
