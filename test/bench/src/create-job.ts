// Creating one job with 10,000 tasks in a single request (bulk insert, one transaction): the time from the
// request to the manager's answer, through the real ProducerClient, per store. Best of and median of 5.
import { createDatabase } from './database.js';
import { isMain } from './main.js';
import { startManagerProcess } from './manager-process.js';
import { benchProducer } from './producer.js';
import { median, report, round } from './report.js';
import { settings, type StoreKind } from './settings.js';

const TASKS = 10_000;
const RUNS = 5;

export async function runCreateJob(store: StoreKind): Promise<number[]> {
  const database = store === 'postgres' ? await createDatabase() : null;
  const manager = await startManagerProcess({ store, databaseUrl: database?.url });
  const producer = benchProducer(manager.url);
  try {
    const tasks = Array.from({ length: TASKS }, (_, i) => ({ data: { i } }));
    // One warm-up: the first request also prepares the statements.
    await producer.createJob('create-bench', { stages: [{ type: 'create', tasks: tasks.slice(0, 100) }] });
    const ms: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      const job = await producer.createJob('create-bench', { stages: [{ type: 'create', tasks }] });
      ms.push(performance.now() - t0);
      if (job.stages?.[0]?.summary?.total !== undefined && job.stages[0].summary.total !== TASKS) throw new Error(`created ${job.stages[0].summary.total} tasks, not ${TASKS}`);
    }
    return ms;
  } finally {
    await producer.close();
    await manager.stop();
    await database?.drop();
  }
}

export function reportCreateJob(store: StoreKind, ms: number[]): void {
  report({ figure: `create-job-10k-tasks-${store}`, value: round(median(ms)), unit: 'ms', best: round(Math.min(...ms)), runs: ms.length, tasks: TASKS });
}

if (isMain(import.meta.url)) {
  for (const store of settings.stores) reportCreateJob(store, await runCreateJob(store));
}
