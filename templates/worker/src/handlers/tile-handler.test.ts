// The example handler on its own: its dependencies (config, logger, random source) replaced through a child container.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { createAppContainer } from '../container.js';
import type { TileCheckpoint } from '../jobs.js';
import { TOKENS } from '../tokens.js';
import { SimulatedRenderError, TILE_ROWS } from './tile-handler.js';
import type { TaskContextOf, TaskHandlerService, WorkerTaskOf } from './task-handler-service.js';

function handlerWith(o: { random?: number; failureRate?: number; workMs?: number } = {}): TaskHandlerService {
  const app = createAppContainer(loadConfig({ log: { level: 'silent' } }, {}));
  const child = app.createChildContainer();
  child.register(TOKENS.Config, { useValue: loadConfig({ tile: { workMs: o.workMs ?? 0, failureRate: o.failureRate ?? 0.05 }, log: { level: 'silent' } }, {}) });
  child.register(TOKENS.Logger, { useValue: pino({ level: 'silent' }) });
  child.register(TOKENS.Random, { useValue: () => o.random ?? 0.99 });
  return child.resolve<TaskHandlerService>(TOKENS.TaskHandler);
}

function task(checkpoint: TileCheckpoint | null = null): WorkerTaskOf {
  return { id: 'task-1', stageType: 'tile-render', data: { x: 3, y: 5, zoom: 12 }, checkpoint } as unknown as WorkerTaskOf;
}

function context(attempt = 1, signal = new AbortController().signal) {
  const progress: number[] = [];
  const checkpoints: TileCheckpoint[] = [];
  const ctx = {
    signal,
    attempt,
    progress: async (p: number) => void progress.push(p),
    checkpoint: async (c: TileCheckpoint) => void checkpoints.push(c),
  } as unknown as TaskContextOf;
  return { ctx, progress, checkpoints };
}

describe('TileHandler', () => {
  it('renders the tile, reporting progress up to 100% and a checkpoint halfway', async () => {
    const { ctx, progress, checkpoints } = context();
    const result = await handlerWith().handle(task(), ctx);
    expect(result.checksum).toMatch(/^[0-9a-f]{8}$/);
    expect(result.bytes).toBeGreaterThanOrEqual(256 * 256);
    expect(progress).toEqual([0.25, 0.5, 0.75, 1]);
    expect(checkpoints).toEqual([{ row: TILE_ROWS / 2, hash: expect.any(Number) }]);
  });

  it('resumed from its checkpoint, a retry produces the same tile as an uninterrupted run', async () => {
    const handler = handlerWith();
    const first = context();
    const full = await handler.handle(task(), first.ctx);
    const resumed = context(2);
    const again = await handler.handle(task(first.checkpoints[0]!), resumed.ctx);
    expect(again).toEqual(full);
    expect(resumed.progress).toEqual([0.75, 1]);
  });

  it('fails the first attempt of a task picked for a simulated failure, and succeeds on the retry', async () => {
    const handler = handlerWith({ random: 0.01, failureRate: 0.05 });
    await expect(handler.handle(task(), context(1).ctx)).rejects.toBeInstanceOf(SimulatedRenderError);
    await expect(handler.handle(task(), context(2).ctx)).resolves.toMatchObject({ bytes: expect.any(Number) });
  });

  it('never fails on purpose when the failure rate is 0', async () => {
    await expect(handlerWith({ random: 0, failureRate: 0 }).handle(task(), context(1).ctx)).resolves.toBeDefined();
  });

  it('stops as soon as its signal aborts, without reporting completion', async () => {
    const abort = new AbortController();
    const { ctx, progress } = context(1, abort.signal);
    const running = handlerWith({ workMs: 60_000 }).handle(task(), ctx);
    const reason = new Error('cancelled');
    abort.abort(reason);
    const started = Date.now();
    await expect(running).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(progress).not.toContain(1);
  });
});
