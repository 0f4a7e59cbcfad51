// EXPLAIN (ANALYZE, BUFFERS) of the manager's dequeue statement (exactly the text it prepares, from
// @jobnik/manager/statements) at a large backlog, on a transaction that is rolled back. The plan goes to
// stderr; the figures (execution time, whether the partial index serves it) to stdout.
import pg from 'pg';
import { DEQUEUE } from '@jobnik/manager/statements';
import { createDatabase } from './database.js';
import { isMain } from './main.js';
import { startManagerProcess } from './manager-process.js';
import { benchProducer } from './producer.js';
import { note, report, round } from './report.js';
import { seedPending } from './seed.js';
import { settings } from './settings.js';

export interface ExplainResult {
  plan: string;
  executionMs: number;
  /** Planning time of that run: a custom plan, as PostgreSQL makes one for most of the manager's dequeues. */
  planningMs: number;
  usesReadyIndex: boolean;
  seqScanOnTasks: boolean;
}

/** Runs the dequeue of `max` tasks of `stageType` under EXPLAIN ANALYZE (best of `tries`) and rolls it back. */
export async function explainDequeue(databaseUrl: string, stageType: string, max = 100, tries = 5): Promise<ExplainResult> {
  // jit=off as the manager's pool sets it.
  const c = new pg.Client({ connectionString: databaseUrl, options: '-c jit=off' });
  await c.connect();
  try {
    let best: ExplainResult | undefined;
    for (let i = 0; i < tries; i++) {
      await c.query('BEGIN');
      // Parameters as dequeueTasks passes them: stage types, tenant, worker, max, lease ms, history, marks.
      const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ${DEQUEUE.text}`, [[stageType], null, 'explainer', max, 30_000, false, '[]', false]);
      await c.query('ROLLBACK');
      const plan = r.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
      const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
      const planningMs = Number(/Planning Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
      if (!best || executionMs < best.executionMs) {
        best = { plan, executionMs, planningMs, usesReadyIndex: plan.includes('tasks_ready'), seqScanOnTasks: /Seq Scan on tasks\b/.test(plan) };
      }
    }
    return best!;
  } finally {
    await c.end();
  }
}

export function reportExplain(r: ExplainResult, pending: number, run: number): void {
  report({
    figure: 'dequeue-explain-ms',
    value: round(r.executionMs, 2),
    unit: 'ms',
    run,
    pending,
    batch: 100,
    planningMs: round(r.planningMs, 2),
    usesReadyIndex: r.usesReadyIndex,
    seqScanOnTasks: r.seqScanOnTasks,
  });
}

if (isMain(import.meta.url)) {
  const pending = settings.backlog.large;
  const database = await createDatabase();
  const manager = await startManagerProcess({ store: 'postgres', databaseUrl: database.url });
  const producer = benchProducer(manager.url);
  try {
    note(`seeding ${pending} pending tasks`);
    const seeded = await seedPending(database.url, producer, 'explain', pending);
    for (let run = 1; run <= settings.repeat; run++) {
      const r = await explainDequeue(database.url, seeded.stageType);
      console.error(r.plan);
      reportExplain(r, pending, run);
    }
  } finally {
    await producer.close();
    await manager.stop();
    await database.drop();
  }
}
