// The quick-start demo: a manager on embedded PGlite, the template worker in the same process, and a
// producer that submits one tile-export job (tile-render → tile-upload → tile-index) and draws its progress.
// Everything keeps running after the job is done so the dashboard can be browsed; stop() ends it all.
import type { Writable } from 'node:stream';
import { isFinalStatus } from '@jobnik/contracts/states';
import pino from 'pino';
import { startManager, type StartedManager } from '@jobnik/manager';
import { ProducerClient } from '@jobnik/sdk';
import { startWorkerApp, type WorkerApp, type WorkerJobs } from '@jobnik/worker-template';
import { ProgressView, type StageProgress } from './progress-view.js';

export const DEMO_STAGES = ['tile-render', 'tile-upload', 'tile-index'] as const;

export interface DemoOptions {
  /** Manager port (0: a free one). */
  port: number;
  /** PGlite data directory (memory:// for a throwaway store). */
  dataDir: string;
  tasksPerStage: number;
  /** Simulated render time per tile. */
  tileWorkMs: number;
  /** Manager's delay before a failed task's retry. */
  retryBaseMs?: number;
  out: Writable & { isTTY?: boolean };
  /** How often the progress bars are redrawn. */
  refreshMs?: number;
  /** Aborted while the demo starts: what has started is stopped and runDemo rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface DemoJob {
  id: string;
  status: string;
  durationMs: number;
  stages: StageProgress[];
}

export interface Demo {
  managerUrl: string;
  jobId: string;
  /** Resolves with the job once it reached a final status. */
  done: Promise<DemoJob>;
  stop(): Promise<void>;
}

/** The tiles of one zoom level, a rectangle of roughly `count` tiles. */
export function tiles(count: number): { data: { x: number; y: number; zoom: number } }[] {
  const width = Math.max(1, Math.ceil(Math.sqrt(count)));
  return Array.from({ length: count }, (_, i) => ({ data: { x: i % width, y: Math.floor(i / width), zoom: 12 } }));
}

function stagesOf(job: { stages?: StageProgress[] }, retried: Map<string, number>): StageProgress[] {
  return (job.stages ?? []).map((s) => ({ type: s.type, status: s.status, percentage: s.percentage, summary: s.summary, retried: retried.get(s.type) ?? 0 }));
}

export async function runDemo(o: DemoOptions): Promise<Demo> {
  const write = (line: string) => o.out.write(`${line}\n`);
  const logger = pino({ level: process.env.JOBNIK_LOG_LEVEL ?? 'warn' });
  let manager: StartedManager | undefined;
  let worker: WorkerApp | undefined;
  let producer: ProducerClient<WorkerJobs> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    await worker?.stop(5_000);
    await producer?.close();
    await manager?.close();
  };

  try {
    manager = await startManager(
      {
        http: { host: '127.0.0.1', port: o.port },
        // An explicit empty URL: the demo always uses the embedded store, whatever DATABASE_URL says.
        database: { url: '', pgliteDir: o.dataDir },
        tasks: { backoffBaseMs: o.retryBaseMs ?? 1_000 },
        log: { level: 'warn' },
      },
      logger,
    );
    o.signal?.throwIfAborted();
    const url = manager.url;
    write(`Jobnik manager   ${url}`);
    const ui = await fetch(`${url}/ui/`).then((r) => (r.body?.cancel(), r.ok), () => false);
    write(ui ? `Dashboard        ${url}/ui/` : 'Dashboard        not built: run `pnpm --filter @jobnik/dashboard build` and start again');
    write(`API docs         ${url}/docs   (OpenAPI: ${url}/openapi.json)`);

    worker = await startWorkerApp({
      config: {
        manager: { url },
        worker: { stageTypes: [...DEMO_STAGES], concurrency: 8, waitMs: 5_000, shutdownGraceMs: 5_000 },
        tile: { workMs: o.tileWorkMs },
        health: { port: 0 },
        // Failed attempts show up in the bars (as retries), not as log lines that would break the redraw.
        log: { level: 'error' },
      },
    });
    o.signal?.throwIfAborted();
    const retried = new Map<string, number>();
    worker.worker.on('taskFailed', (e) => {
      if (e.willRetry) retried.set(e.stageType, (retried.get(e.stageType) ?? 0) + 1);
    });
    write(`Worker           ${worker.worker.workerId} (health and metrics at ${worker.healthUrl}/metrics)`);

    producer = new ProducerClient<WorkerJobs>({ baseUrl: url });
    const started = Date.now();
    const job = await producer.createJob('tile-export', {
      data: { region: 'demo' },
      priority: 'HIGH',
      stages: DEMO_STAGES.map((type) => ({ type, tasks: tiles(o.tasksPerStage) })),
    });
    o.signal?.throwIfAborted();
    write(`Job              ${job.id}: tile-export, ${DEMO_STAGES.length} stages × ${o.tasksPerStage} tasks (${url}/ui/jobs/${job.id})`);
    write('');

    const view = new ProgressView(o.out);
    const p = producer;
    const done = new Promise<DemoJob>((resolve, reject) => {
      const tick = async () => {
        timer = undefined;
        try {
          const current = await p.getJob(job.id, { include: 'stages' });
          const stages = stagesOf(current as never, retried);
          view.render(stages);
          if (isFinalStatus(current.status)) {
            const result = { id: job.id, status: current.status, durationMs: Date.now() - started, stages };
            write('');
            write(`Job ${current.status} in ${(result.durationMs / 1000).toFixed(1)} s. Browse it at ${url}/ui/jobs/${job.id}`);
            write(o.out.isTTY ? 'Everything keeps running; press Ctrl-C to stop.' : 'Everything keeps running until stopped.');
            resolve(result);
            return;
          }
        } catch (err) {
          // A stopped demo ends the loop; anything else is reported and the demo keeps polling.
          if (!manager) return reject(err as Error);
          write(`(progress unavailable: ${(err as Error).message})`);
        }
        timer = setTimeout(() => void tick(), o.refreshMs ?? 250);
      };
      void tick();
    });
    return { managerUrl: url, jobId: job.id, done, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
