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

export async function seedPending(databaseUrl: string, producer: ProducerClient, stageType: string, count: number): Promise<SeededStage> {
  const job = await producer.createJob('backlog', { stages: [{ type: stageType, tasks: [{ data: { i: 0 } }] }] });
  const stageId = (await producer.listStages(job.id))[0]!.id;
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const BATCH = 250_000;
    for (let from = 1; from < count; from += BATCH) {
      const to = Math.min(count - 1, from + BATCH - 1);
      await c.query('BEGIN');
      await c.query(
        `INSERT INTO tasks (job_id, stage_id, queue_id, priority, status, data, max_attempts)
         SELECT s.job_id, s.id, s.queue_id, j.priority, 'PENDING', jsonb_build_object('i', g), 3
         FROM stages s JOIN jobs j ON j.id = s.job_id, generate_series($2::int, $3::int) g
         WHERE s.id = $1`,
        [stageId, from, to],
      );
      await c.query('UPDATE stages SET n_pending = n_pending + $2 WHERE id = $1', [stageId, to - from + 1]);
      await c.query('COMMIT');
    }
    await c.query('VACUUM ANALYZE tasks');
  } finally {
    await c.end();
  }
  return { jobId: job.id, stageId, stageType };
}
