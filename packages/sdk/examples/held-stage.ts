// A stage with more tasks than one request carries, or whose tasks you produce over time: held while they are added.
import { ProducerClient } from '@jobnik/sdk';
import type { TileJobs } from './jobs.js';

const producer = new ProducerClient<TileJobs>({ baseUrl: process.env.JOBNIK_URL ?? 'http://localhost:8080', apiKey: process.env.JOBNIK_API_KEY });

// Your tasks in chunks of at most 50,000 each (the manager's http.maxTasksPerRequest); here 3 rows of 100 tiles.
const tileChunks = Array.from({ length: 3 }, (_, y) => Array.from({ length: 100 }, (_, x) => ({ data: { x, y } })));

const big = await producer.createJob('tile-export', { data: { region: 'south' }, stages: [{ type: 'tile-render', data: { zoom: 14 }, hold: true }] });
const stageId = big.stages![0]!.id;
for (const [i, chunk] of tileChunks.entries()) {
  // the key makes a repeat of this chunk (a retry, a restarted producer) add nothing twice
  await producer.addTasks(stageId, chunk, { idempotencyKey: `${stageId}-chunk-${i}` });
}
await producer.releaseStage(stageId); // now it runs (or when the stages before it are done)
console.log(`released ${stageId}`);
await producer.close();
