// The cost of idle queues to a dequeue: each (tenant, stage type) keeps its queue after its work is done, and a
// tenant-agnostic worker's dequeue looks at the queues of its stage type. One tenant has a ready backlog; the queues of
// `steps` other tenants, each with one finished job, are added step by step (inserted with SQL: a queue, a COMPLETED
// job and stage each), and at each step, after a VACUUM ANALYZE, the dequeue of 200 is explained (explain-dequeue.ts: best of 5, rolled back; the plans go to stderr).
// BENCH_IDLE_OPEN_JOBS adds that many open one-task jobs to the busy tenant first (a backlog of small jobs: many open
// stages in one queue). At each step also a /metrics scrape and GET /queues (all, active=true, a page of 100) are timed. Diagnostic, not part of `pnpm bench`.
import pg from 'pg';
import { createDatabase } from './database.js';
import { explainDequeue } from './explain-dequeue.js';
import { isMain } from './main.js';
import { startManagerProcess } from './manager-process.js';
import { benchProducer } from './producer.js';
import { note, report, round } from './report.js';
import { seedPending, type SeededStage } from './seed.js';
import { settings } from './settings.js';

const STAGE = 'idle-q';

/** `n` open one-task jobs in the queue of the seeded stage. */
async function addOpenJobs(c: pg.Client, seeded: SeededStage, n: number): Promise<void> {
  const busy = (await c.query<{ queue_id: number; tenant_id: string }>(`SELECT s.queue_id, j.tenant_id FROM stages s JOIN jobs j ON j.id = s.job_id WHERE s.id = $1`, [seeded.stageId])).rows[0]!;
  await c.query(
    `WITH j AS (INSERT INTO jobs (tenant_id, name, priority, status) SELECT $2, 'open', 2, 'PENDING' FROM generate_series(1, $3::int) RETURNING id),
     s AS (INSERT INTO stages (job_id, ord, type, queue_id, status, n_pending_or_running) SELECT id, 0, $4, $1, 'PENDING', 1 FROM j RETURNING id, job_id)
     INSERT INTO tasks (job_id, stage_id, queue_id, priority, status) SELECT job_id, id, $1, 2, 'PENDING' FROM s`,
    [busy.queue_id, busy.tenant_id, n, STAGE],
  );
}

/** Idle tenants `from`..`to`: a queue of the stage type each, with one COMPLETED job and stage. */
async function addIdleQueues(c: pg.Client, from: number, to: number): Promise<void> {
  await c.query(
    `WITH qs AS (INSERT INTO queues (tenant_id, name) SELECT 'idle-' || g, $3 FROM generate_series($1::int, $2::int) g RETURNING id, tenant_id),
     j AS (INSERT INTO jobs (tenant_id, name, priority, status, finished_at) SELECT tenant_id, 'done', 2, 'COMPLETED', now() FROM qs RETURNING id, tenant_id)
     INSERT INTO stages (job_id, ord, type, queue_id, status, n_completed) SELECT j.id, 0, $3, qs.id, 'COMPLETED', 1 FROM j JOIN qs USING (tenant_id)`,
    [from, to, STAGE],
  );
}

if (isMain(import.meta.url)) {
  const { backlog, steps, openJobs } = settings.idleQueues;
  const database = await createDatabase();
  const manager = await startManagerProcess({ store: 'postgres', databaseUrl: database.url });
  const producer = benchProducer(manager.url);
  const c = new pg.Client({ connectionString: database.url });
  try {
    note(`idle queues: seeding ${backlog} ready tasks of one tenant`);
    const seeded = await seedPending(database.url, producer, STAGE, backlog);
    await c.connect();
    if (openJobs > 0) await addOpenJobs(c, seeded, openJobs);
    let idle = 0;
    for (const step of [0, ...steps]) {
      if (step > idle) await addIdleQueues(c, idle + 1, step);
      idle = Math.max(idle, step);
      for (const table of ['queues', 'jobs', 'stages', 'tasks']) await c.query(`VACUUM ANALYZE ${table}`);
      const r = await explainDequeue(database.url, STAGE, 200);
      console.error(`-- ${idle} idle queues\n${r.plan}`);
      report({ figure: 'dequeue-idle-queues-ms', value: round(r.executionMs, 2), unit: 'ms', idleQueues: idle, openJobs, batch: 200, backlog, planningMs: round(r.planningMs, 2) });
      // The reads that go through every queue: a /metrics scrape and GET /queues (best of 3 each); and the listings an
      // operator with many tenants uses instead: the queues with work, and a first page.
      for (const path of ['/metrics', '/queues', '/queues?active=true', '/queues?limit=100']) {
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < 3; i++) {
          const t0 = performance.now();
          const res = await fetch(new URL(path, manager.url));
          bytes = (await res.arrayBuffer()).byteLength;
          if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
          times.push(performance.now() - t0);
        }
        report({ figure: `read-idle-queues-ms`, path, value: round(Math.min(...times), 1), unit: 'ms', idleQueues: idle, openJobs, bytes });
      }
    }
  } finally {
    await c.end().catch(() => undefined);
    await producer.close();
    await manager.stop();
    await database.drop();
  }
}
