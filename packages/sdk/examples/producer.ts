import { ProducerClient } from '@jobnik/sdk';
import type { TileJobs } from './jobs.js';

const producer = new ProducerClient<TileJobs>({ baseUrl: process.env.JOBNIK_URL ?? 'http://localhost:8080', apiKey: process.env.JOBNIK_API_KEY });

const job = await producer.createJob('tile-export', {
  data: { region: 'north' },
  priority: 'HIGH',
  idempotencyKey: `tile-export-north-${new Date().toISOString().slice(0, 10)}`, // a repeat returns the same job
  stages: [{ type: 'tile-render', data: { zoom: 12 }, tasks: Array.from({ length: 60 }, (_, x) => ({ data: { x, y: 0 } })) }],
});
console.log(`created job ${job.id}`);

const done = await producer.waitForJob(job.id, { onProgress: (j) => console.log(`${j.status} ${j.percentage}%`) });
let bytes = 0;
for await (const task of producer.iterateTasks({ jobId: job.id })) bytes += task.result?.bytes ?? 0; // every page, any job size
console.log(`${done.status}: ${bytes} bytes`);
await producer.close();
