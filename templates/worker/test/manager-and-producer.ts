// A suite's manager on the embedded store and a producer of this worker's jobs: started before its tests, closed after.
import { afterAll, beforeAll } from 'vitest';
import { ProducerClient } from '@jobnik/sdk';
import { startTestManager, type TestManager } from '@jobnik/manager/testing';
import type { WorkerJobs } from '../src/jobs.js';

export interface ManagerAndProducer {
  manager: TestManager;
  producer: ProducerClient<WorkerJobs>;
}

/** Call in a describe: the returned object's fields are set once its beforeAll has run. */
export function useManagerAndProducer(): ManagerAndProducer {
  const f = {} as ManagerAndProducer;
  beforeAll(async () => {
    f.manager = await startTestManager({ store: 'pglite' });
    f.producer = new ProducerClient<WorkerJobs>({ baseUrl: f.manager.url });
  });
  afterAll(async () => {
    await f.producer?.close();
    await f.manager?.close();
  });
  return f;
}
