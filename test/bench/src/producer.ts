// Bulk creation of N tasks through the real ProducerClient: jobs of `chunk` tasks, `concurrency` create
// requests in flight.
import { ProducerClient } from '@jobnik/sdk';

/** `onCreated`: hears each job's answer (e.g. to time it). */
export async function createTasks(
  producer: ProducerClient,
  o: { stageType: string; total: number; chunk: number; concurrency: number; onCreated?: () => void },
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < o.total) {
      const from = next;
      const n = Math.min(o.chunk, o.total - from);
      next += n;
      const tasks = Array.from({ length: n }, (_, i) => ({ data: { i: from + i } }));
      await producer.createJob('bench', { stages: [{ type: o.stageType, tasks }] });
      o.onCreated?.();
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, lane));
}

export function benchProducer(baseUrl: string): ProducerClient {
  // Creating 5,000 tasks can take longer than the default 10 s call timeout on a loaded machine.
  return new ProducerClient({ baseUrl, timeoutMs: 120_000 });
}
