// EXPLAIN (ANALYZE, BUFFERS) of the dequeue statement with 1,000,000 pending tasks: it must use the
// partial index tasks_ready and stay fast. Prints the plan and a JSON line.
import pg from 'pg';
import pino from 'pino';
import { startManager } from '@jobnik/manager';
import { createTestDatabase } from '@jobnik/manager/testing';
import { client } from './http.js';
import { report, round } from './report.js';

const PENDING = Number(process.env.BENCH_PENDING ?? 1_000_000);

const database = await createTestDatabase();
const m = await startManager({ http: { host: '127.0.0.1', port: 0 }, database: { url: database.url }, log: { level: 'warn' } }, pino({ level: 'warn' }));
const api = client(m.url, 1);
const c = new pg.Client({ connectionString: database.url, options: '-c jit=off' }); // as the manager's pool
await c.connect();
try {
  const job = await api.post<{ id: string; stages: { id: string }[] }>('/jobs', { name: 'explain', stages: [{ type: 'explain', tasks: [{ data: 0 }] }] });
  const t0 = performance.now();
  await c.query(
    `INSERT INTO tasks (job_id, stage_id, queue_id, priority, status, data, max_attempts)
     SELECT $1, $2, (SELECT queue_id FROM stages WHERE id = $2), (g % 5)::smallint, 'PENDING', jsonb_build_object('i', g), 3
     FROM generate_series(1, $3) g`,
    [job.id, job.stages[0]!.id, PENDING],
  );
  await c.query(`UPDATE stages SET n_pending = n_pending + $2 WHERE id = $1`, [job.stages[0]!.id, PENDING]);
  await c.query('VACUUM ANALYZE tasks');
  const insertSecs = (performance.now() - t0) / 1000;
  // The dequeue statement as the manager prepares it, run on a rolled-back transaction.
  const dq = await import('@jobnik/manager/statements');
  await c.query('BEGIN');
  const plan = await c.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ${dq.DEQUEUE.text}`, [['explain'], null, 'explainer', 100, false, 30_000]);
  await c.query('ROLLBACK');
  const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
  console.error(text);
  const exec = /Execution Time: ([\d.]+) ms/.exec(text);
  // And through HTTP: 20 dequeue+complete rounds of 100 at this backlog.
  const t1 = performance.now();
  let done = 0;
  for (let i = 0; i < 20; i++) {
    const d = await api.post<{ tasks: { id: string; leaseToken: string }[] }>('/dequeue', { workerId: 'x', max: 100, stageTypes: ['explain'] });
    await api.post('/tasks/complete', { items: d.tasks.map((t) => ({ taskId: t.id, leaseToken: t.leaseToken })) });
    done += d.tasks.length;
  }
  report('dequeue-explain-1m-pending', {
    pending: PENDING,
    usesPartialIndex: text.includes('tasks_ready'),
    seqScanOnTasks: /Seq Scan on tasks/.test(text),
    executionMs: exec ? Number(exec[1]) : null,
    setupSeconds: round(insertSecs, 1),
    tasksPerSecondAt1M: Math.round(done / ((performance.now() - t1) / 1000)),
  });
} finally {
  await c.end();
  await api.close();
  await m.close();
  await database.drop();
}
