import { WorkerClient } from '@jobnik/sdk';
import type { TileJobs } from './jobs.js';

const worker = new WorkerClient<TileJobs>({ baseUrl: process.env.JOBNIK_URL ?? 'http://localhost:8080', apiKey: process.env.JOBNIK_API_KEY, concurrency: 4 });

worker.handle('tile-render', async (task, ctx) => {
  const { x, y } = task.data; // typed { x: number; y: number }
  for (let row = task.checkpoint?.row ?? 0; row < 4; row++) {
    ctx.signal.throwIfAborted(); // cancelled, suspended, timed out, lease lost or shutting down
    // ... render one row of the tile ...
    await ctx.checkpoint({ row: row + 1 }); // a retry or another worker resumes from here
    await ctx.progress((row + 1) / 4);
  }
  return { bytes: 256 * (x + y + 1) }; // typed result
});

worker.on('taskFailed', (e) => console.error(`task ${e.taskId} failed: ${e.error.message}`));
worker.installSignalHandlers({ graceMs: 30_000 }); // SIGTERM: finish or release in-flight tasks, then exit
await worker.start();
console.log(`worker ${worker.workerId} started`);
