// Seeds a large backlog fast: one job with one stage created through the API (so jobs, stages and queues
// are what the manager expects), then its pending tasks inserted with SQL in big batches, the stage's
// counters adjusted in the same transaction, and the table analyzed.
import pg from 'pg';
import type { ProducerClient } from '@jobnik/sdk';

export interface SeededStage {
  jobId: string;
  stageId: string;
  stageType: string;
}

const BATCH = 250_000;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function insertPending(c: pg.Client, stageId: string, count: number): Promise<void> {
  for (let done = 0; done < count; done += BATCH) {
    const n = Math.min(BATCH, count - done);
    await c.query('BEGIN');
    await c.query(
      `INSERT INTO tasks (job_id, stage_id, queue_id, priority, status, data, max_attempts)
       SELECT s.job_id, s.id, s.queue_id, j.priority, 'PENDING', jsonb_build_object('i', g), 3
       FROM stages s JOIN jobs j ON j.id = s.job_id, generate_series(1, $2::int) g
       WHERE s.id = $1`,
      [stageId, n],
    );
    // A stage whose tasks all ended has finished (and its job): open both again, as they would be with tasks to run
    // (the API refuses tasks for a finished stage, and a dequeue looks only into queues with an open stage).
    const reopened = await c.query<{ job_id: string }>(
      `UPDATE stages SET n_pending_or_running = n_pending_or_running + $2,
         status = CASE WHEN status IN ('COMPLETED', 'FAILED', 'ABORTED') THEN 'IN_PROGRESS' ELSE status END,
         finished_at = CASE WHEN status IN ('COMPLETED', 'FAILED', 'ABORTED') THEN NULL ELSE finished_at END
       WHERE id = $1 RETURNING job_id`,
      [stageId, n],
    );
    await c.query(`UPDATE jobs SET status = 'IN_PROGRESS', finished_at = NULL WHERE id = $1 AND status IN ('COMPLETED', 'FAILED', 'ABORTED')`, [reopened.rows[0]!.job_id]);
    await c.query('COMMIT');
  }
}

export async function seedPending(databaseUrl: string, producer: ProducerClient, stageType: string, count: number): Promise<SeededStage> {
  const job = await producer.createJob('backlog', { stages: [{ type: stageType, tasks: [{ data: { i: 0 } }] }] });
  const stageId = (await producer.listStages(job.id))[0]!.id;
  await withClient(databaseUrl, async (c) => {
    await insertPending(c, stageId, count - 1);
    await c.query('VACUUM ANALYZE tasks');
  });
  return { jobId: job.id, stageId, stageType };
}

/**
 * Brings the stage back to `count` pending tasks (a measurement window consumed some) and vacuums; returns how many
 * it found pending (what the window left). So
 * every window starts from the same state: back to back, each window left ~20,000 dead row versions
 * that autovacuum (a visit a minute) had not removed yet, and each window ran slower than the one before.
 */
export async function topUpPending(databaseUrl: string, seeded: SeededStage, count: number): Promise<number> {
  return withClient(databaseUrl, async (c) => {
    const found = await pendingOf(c, seeded);
    if (count > found) await insertPending(c, seeded.stageId, count - found);
    await c.query('VACUUM ANALYZE tasks');
    return found;
  });
}

/** The stage's pending tasks now. */
export function countPending(databaseUrl: string, seeded: SeededStage): Promise<number> {
  return withClient(databaseUrl, (c) => pendingOf(c, seeded));
}

async function pendingOf(c: pg.Client, seeded: SeededStage): Promise<number> {
  const r = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE stage_id = $1 AND status = 'PENDING'`, [seeded.stageId]);
  return r.rows[0]!.n;
}
