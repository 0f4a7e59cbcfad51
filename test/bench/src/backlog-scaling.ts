// Backlog scaling: dequeue+ack throughput of W worker processes with a small (10k) and a large (1M)
// backlog of pending tasks, measured over the same fixed window of completions after a warm-up; the
// ratio large/small shows whether the dequeue stays O(log n). The large database also gets the dequeue
// EXPLAIN before the workers start.
import { createDatabase } from './database.js';
import { explainDequeue, reportExplain } from './explain-dequeue.js';
import { isMain } from './main.js';
import { startManagerProcess } from './manager-process.js';
import { benchProducer } from './producer.js';
import { median, note, report, round } from './report.js';
import { seedPending, topUpPending } from './seed.js';
import { settings, targets } from './settings.js';
import { WorkerFleet } from './worker-fleet.js';

const STAGE = 'backlog';

/** Rates (tasks/s) of `repeat` windows over one seeded backlog (each window with fresh worker processes). */
export async function runBacklog(pending: number, repeat: number, onSeeded?: (databaseUrl: string) => Promise<void>): Promise<number[]> {
  const { warmup, window, workers } = settings.backlog;
  const database = await createDatabase();
  const manager = await startManagerProcess({ store: 'postgres', databaseUrl: database.url, poolSize: settings.managerPoolSize });
  const producer = benchProducer(manager.url);
  const rates: number[] = [];
  try {
    note(`seeding ${pending} pending tasks`);
    const seeded = await seedPending(database.url, producer, STAGE, pending);
    await onSeeded?.(database.url);
    for (let run = 0; run < repeat; run++) {
      // Every window starts from the same backlog (the previous window's workers drained some of it).
      if (run > 0) await topUpPending(database.url, seeded, pending);
      const fleet = await WorkerFleet.start(new URL('./jobnik-worker-child.ts', import.meta.url), workers, {
        BENCH_MANAGER_URL: manager.url,
        BENCH_STAGE_TYPE: STAGE,
      });
      try {
        await fleet.waitFor(warmup + window, 600_000);
        rates.push(window / ((fleet.timeOf(warmup + window) - fleet.timeOf(warmup)) / 1000));
      } finally {
        await fleet.stop();
      }
    }
  } finally {
    await producer.close();
    await manager.stop();
    await database.drop();
  }
  return rates;
}

export function reportBacklog(small: number[], large: number[]): void {
  const { warmup, window, workers } = settings.backlog;
  const setup = { workerProcesses: workers, warmupTasks: warmup, windowTasks: window };
  small.forEach((v, i) => report({ figure: 'backlog-throughput-small', value: Math.round(v), unit: 'tasks/s', run: i + 1, pending: settings.backlog.small, ...setup }));
  large.forEach((v, i) => report({ figure: 'backlog-throughput-large', value: Math.round(v), unit: 'tasks/s', run: i + 1, pending: settings.backlog.large, ...setup }));
  report({
    figure: 'backlog-ratio',
    value: round(median(large) / median(small), 2),
    unit: 'large/small',
    target: targets.backlogRatio,
    smallMedian: Math.round(median(small)),
    largeMedian: Math.round(median(large)),
    pending: { small: settings.backlog.small, large: settings.backlog.large },
  });
}

if (isMain(import.meta.url)) {
  const small = await runBacklog(settings.backlog.small, settings.repeat);
  const large = await runBacklog(settings.backlog.large, settings.repeat, async (url) => {
    const r = await explainDequeue(url, STAGE);
    console.error(r.plan);
    reportExplain(r, settings.backlog.large, 1);
  });
  reportBacklog(small, large);
}
