// What the worker's logs say about tasks that did not simply complete and about a manager it cannot reach, against
// a real manager: each line names the job and task (and the error's code), and an outage is a line, not a stack.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { startWorkerApp, type WorkerApp } from '../src/app.js';
import { loadConfig, type DeepPartial, type WorkerConfig } from '../src/config.js';
import { createAppContainer } from '../src/container.js';
import type { TaskHandlerService } from '../src/handlers/task-handler-service.js';
import { TOKENS } from '../src/tokens.js';
import { useManagerAndProducer } from './manager-and-producer.js';
import { waitFor } from './helpers/wait-for.js';

const STAGE = loadConfig({}, {}).worker.stageTypes[0]!;
type Line = Record<string, unknown>;

describe('worker logs', () => {
  const f = useManagerAndProducer();

  /** A worker app whose log lines land in `lines`; `handler` replaces the example handler. */
  async function startLogged(o: { config?: DeepPartial<WorkerConfig>; handler?: TaskHandlerService; random?: number } = {}): Promise<{ app: WorkerApp; lines: Line[] }> {
    const lines: Line[] = [];
    const config = loadConfig({ manager: { url: f.manager.url }, worker: { stageTypes: [STAGE], concurrency: 4, waitMs: 500 }, health: { port: 0 }, ...o.config }, {});
    const container = createAppContainer(config);
    container.register(TOKENS.Logger, { useValue: pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) }) });
    if (o.handler) container.register(TOKENS.TaskHandler, { useValue: o.handler });
    if (o.random !== undefined) container.register(TOKENS.Random, { useValue: () => o.random! });
    return { app: await startWorkerApp({ container }), lines };
  }

  const find = (lines: Line[], msg: string, taskId?: string) => lines.find((l) => l.msg === msg && (taskId === undefined || l.taskId === taskId));

  /** Resolves with the first abort of the task's signal, as the rejection a handler that honours it would throw. */
  const untilAborted = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));

  it('logs a failed attempt with its job, task and error code', async () => {
    const { app, lines } = await startLogged({ config: { tile: { workMs: 0, failureRate: 1 } }, random: 0 });
    try {
      const job = await f.producer.createJob('tile-export', { data: { region: 'fail' }, stages: [{ type: STAGE, tasks: [{ data: { x: 1, y: 1, zoom: 1 } }] }] });
      const [task] = (await f.producer.listTasks({ jobId: job.id })).items;
      const line = await waitFor(() => find(lines, 'task failed', task!.id), { message: 'a task failed line' });
      expect(line).toMatchObject({ level: 40, jobId: job.id, taskId: task!.id, stageType: STAGE, attempt: 1, willRetry: true, code: 'SIMULATED_RENDER_ERROR' });
    } finally {
      await app.stop(2_000);
    }
  });

  it('logs the tasks a failing sibling aborted, and a task released at shutdown', async () => {
    let blockersStarted = 0;
    let bothStarted: () => void = () => undefined;
    const siblingsRunning = new Promise<void>((resolve) => (bothStarted = resolve));
    const handler: TaskHandlerService = {
      async handle(task, ctx) {
        if (task.data.x === 0) {
          // Fails for good only once its siblings run on this worker, so their abort reaches their handlers.
          await siblingsRunning;
          throw Object.assign(new Error('tile 0 is broken'), { code: 'BROKEN_TILE' });
        }
        if (++blockersStarted === 2) bothStarted();
        return untilAborted(ctx.signal);
      },
    };
    const { app, lines } = await startLogged({ handler });
    let stopped = false;
    try {
      const job = await f.producer.createJob('tile-export', {
        data: { region: 'abort' },
        stages: [{ type: STAGE, tasks: [0, 1, 2].map((x) => ({ data: { x, y: 0, zoom: 1 }, maxAttempts: 1 })) }],
      });
      const tasks = (await f.producer.listTasks({ jobId: job.id })).items;
      const byX = (x: number) => tasks.find((t) => t.data.x === x)!;
      const failed = await waitFor(() => find(lines, 'task failed', byX(0).id), { message: 'the failing task logged' });
      expect(failed).toMatchObject({ jobId: job.id, willRetry: false, code: 'BROKEN_TILE' });
      for (const x of [1, 2]) {
        const aborted = await waitFor(() => find(lines, 'task cancelled or aborted on the manager', byX(x).id), { message: `sibling ${x} logged as aborted` });
        expect(aborted).toMatchObject({ jobId: job.id, stageType: STAGE, attempt: 1 });
      }

      const next = await f.producer.createJob('tile-export', { data: { region: 'release' }, stages: [{ type: STAGE, tasks: [{ data: { x: 5, y: 0, zoom: 1 } }] }] });
      const [running] = (await f.producer.listTasks({ jobId: next.id })).items;
      await waitFor(async () => (await f.producer.getTask(running!.id)).status === 'IN_PROGRESS', { message: 'task running' });
      stopped = true;
      await app.stop(100);
      expect(find(lines, 'task released', running!.id)).toMatchObject({ level: 30, jobId: next.id, stageType: STAGE, reason: 'shutdown' });
    } finally {
      if (!stopped) await app.stop(100);
    }
  });

  it('logs a manager it cannot reach as one line with the error code, without a stack', async () => {
    const { app, lines } = await startLogged();
    try {
      await f.manager.stopHttp();
      const line = await waitFor(() => find(lines, 'call to the manager failed'), { message: 'an unreachable-manager line' });
      expect(line.code).toEqual(expect.any(String));
      expect(line.error).toEqual(expect.any(String));
      expect(JSON.stringify(line)).not.toMatch(/\bat .+\(.+:\d+:\d+\)/);
      expect(line).not.toHaveProperty('err');
      expect(JSON.stringify(line).length).toBeLessThan(600);
    } finally {
      await f.manager.startHttp();
      await app.stop(2_000);
    }
  });
});
