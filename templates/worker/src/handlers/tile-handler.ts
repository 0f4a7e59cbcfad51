// The example handler: "renders" a tile row by row (a checksum over fake pixels), reporting progress,
// checkpointing halfway so a retry resumes there, and stopping as soon as its signal aborts.
import { setTimeout as sleep } from 'node:timers/promises';
import { inject, injectable } from '../di.js';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config.js';
import type { TileResult } from '../jobs.js';
import { TOKENS } from '../tokens.js';
import type { TaskContextOf, TaskHandlerService, WorkerTaskOf } from './task-handler-service.js';

export const TILE_SIZE = 256;
export const TILE_ROWS = 4;
const FNV_OFFSET = 0x811c9dc5;

/** Thrown on purpose by a first attempt so the example shows retries; the manager schedules another attempt. */
export class SimulatedRenderError extends Error {
  readonly code = 'SIMULATED_RENDER_ERROR';
}

function fnv1a(hash: number, value: number): number {
  return Math.imul(hash ^ (value & 0xff), 0x01000193) >>> 0;
}

/** Folds one block of fake pixels (a function of the tile's coordinates) into the running hash. */
export function renderRow(hash: number, task: { x: number; y: number; zoom: number }, row: number): number {
  const rowsOfPixels = TILE_SIZE / TILE_ROWS;
  let h = hash;
  for (let py = row * rowsOfPixels; py < (row + 1) * rowsOfPixels; py += 8) {
    for (let px = 0; px < TILE_SIZE; px += 8) h = fnv1a(h, (task.x * 31 + task.y * 17 + task.zoom * 7 + px * py) >>> 0);
  }
  return h;
}

/** Stands in for real rendering time; on abort it throws the signal's own reason (the SDK's TaskAbortError). */
async function work(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (err) {
    signal.throwIfAborted();
    throw err;
  }
}

@injectable()
export class TileHandler implements TaskHandlerService {
  constructor(
    @inject(TOKENS.Config) private readonly config: WorkerConfig,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Random) private readonly random: () => number,
  ) {}

  async handle(task: WorkerTaskOf, ctx: TaskContextOf): Promise<TileResult> {
    const { x, y, zoom } = task.data;
    if (ctx.attempt === 1 && this.random() < this.config.tile.failureRate) {
      throw new SimulatedRenderError(`simulated render failure of tile ${zoom}/${x}/${y} (first attempt only)`);
    }
    const start = task.checkpoint ?? { row: 0, hash: FNV_OFFSET };
    let hash = start.hash;
    const rowMs = this.config.tile.workMs / TILE_ROWS;
    for (let row = start.row; row < TILE_ROWS; row++) {
      ctx.signal.throwIfAborted();
      hash = renderRow(hash, task.data, row);
      if (rowMs > 0) await work(rowMs, ctx.signal);
      if (row + 1 === TILE_ROWS / 2) await ctx.checkpoint({ row: row + 1, hash });
      await ctx.progress((row + 1) / TILE_ROWS);
    }
    const result = { bytes: TILE_SIZE * TILE_SIZE + (hash % 1024), checksum: hash.toString(16).padStart(8, '0') };
    this.logger.debug({ taskId: task.id, stageType: task.stageType, tile: `${zoom}/${x}/${y}`, ...result }, 'tile rendered');
    return result;
  }
}
