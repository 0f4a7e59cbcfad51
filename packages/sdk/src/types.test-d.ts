// Compile-time tests of the typed API (checked by `tsc --noEmit`, the package's typecheck script):
// the user's job map drives createJob, addStage, addTasks, handlers and results; wrong shapes do not compile.
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import type { JsonValue } from '@jobnik/contracts';
import { ProducerClient } from './producer/producer-client.js';
import { WorkerClient } from './worker/worker-client.js';
import type { TaskContext } from './worker/task-context.js';

interface MyJobs {
  'tile-export': {
    data: { region: string };
    stages: {
      'tile-render': { data: { zoom: number }; task: { x: number; y: number }; result: { bytes: number }; checkpoint: { done: number } };
      'tile-pack': { task: { file: string } };
    };
  };
  cleanup: { stages: { sweep: { task: { olderThanDays: number }; result: { removed: number } } } };
}

declare const producer: ProducerClient<MyJobs>;
declare const worker: WorkerClient<MyJobs>;

export async function producerTypes() {
  const job = await producer.createJob('tile-export', {
    data: { region: 'north' },
    priority: 'HIGH',
    idempotencyKey: 'k1',
    stages: [
      { type: 'tile-render', data: { zoom: 3 }, tasks: [{ data: { x: 1, y: 2 } }, { data: { x: 3, y: 4 }, maxAttempts: 5 }] },
      { type: 'tile-pack', tasks: [{ data: { file: 'a.tar' } }] },
    ],
  });
  expectTypeOf(job.name).toEqualTypeOf<'tile-export'>();
  expectTypeOf(job.data).toEqualTypeOf<{ region: string }>();
  expectTypeOf(job.status).toEqualTypeOf<'CREATED' | 'PENDING' | 'IN_PROGRESS' | 'PAUSED' | 'COMPLETED' | 'FAILED' | 'ABORTED'>();

  // @ts-expect-error unknown job name
  await producer.createJob('nope', { data: { region: 'x' } });
  // @ts-expect-error job data is required and typed
  await producer.createJob('tile-export', {});
  // @ts-expect-error job data has the wrong shape
  await producer.createJob('tile-export', { data: { region: 1 } });
  // @ts-expect-error a stage type that belongs to another job
  await producer.createJob('tile-export', { data: { region: 'x' }, stages: [{ type: 'sweep', tasks: [] }] });
  await producer.createJob('tile-export', {
    data: { region: 'x' },
    // @ts-expect-error task data of the wrong shape for tile-render
    stages: [{ type: 'tile-render', data: { zoom: 1 }, tasks: [{ data: { x: '1', y: 2 } }] }],
  });
  await producer.createJob('tile-export', {
    data: { region: 'x' },
    // @ts-expect-error stage data is required for tile-render
    stages: [{ type: 'tile-render', tasks: [] }],
  });
  // Jobs without declared data may leave it out.
  await producer.createJob('cleanup', { stages: [{ type: 'sweep', tasks: [{ data: { olderThanDays: 7 } }] }] });

  // addTasks: typed by the stage type given as argument or type parameter.
  await producer.addTasks('stage-id', [{ data: { x: 1, y: 1 } }], { stageType: 'tile-render' });
  await producer.addTasks<'tile-pack'>('stage-id', [{ data: { file: 'b' } }]);
  // @ts-expect-error wrong task shape for the named stage type
  await producer.addTasks('stage-id', [{ data: { file: 'b' } }], { stageType: 'tile-render' });
  // @ts-expect-error wrong task shape for the stage type given as type parameter
  await producer.addTasks<'tile-pack'>('stage-id', [{ data: { x: 1, y: 1 } }]);

  // addStage narrowed to a job's stages.
  await producer.addStage<'tile-export'>('job-id', { type: 'tile-pack', tasks: [{ data: { file: 'c' } }] });
  // @ts-expect-error sweep is not a stage of tile-export
  await producer.addStage<'tile-export'>('job-id', { type: 'sweep' });

  const task = await producer.getTask<'tile-render'>('task-id');
  expectTypeOf(task.data).toEqualTypeOf<{ x: number; y: number }>();
  expectTypeOf(task.result).toEqualTypeOf<{ bytes: number } | null>();

  const page = await producer.listJobs({ status: ['PENDING', 'FAILED'], name: 'cleanup' });
  expectTypeOf(page.nextCursor).toEqualTypeOf<string | null>();
  // @ts-expect-error not a job status
  await producer.listJobs({ status: ['DONE'] });
  for await (const j of producer.iterateJobs({ name: 'tile-export' })) expectTypeOf(j.name).toEqualTypeOf<'tile-export'>();

  const done = await producer.waitForJob(job.id, { onProgress: (j) => expectTypeOf(j.percentage).toEqualTypeOf<number>(), timeoutMs: 1000 });
  expectTypeOf(done.id).toEqualTypeOf<string>();
}

export function workerTypes() {
  worker.handle('tile-render', async (task, ctx) => {
    expectTypeOf(task.data).toEqualTypeOf<{ x: number; y: number }>();
    expectTypeOf(task.checkpoint).toEqualTypeOf<{ done: number } | null>();
    expectTypeOf(ctx.stage.data).toEqualTypeOf<{ zoom: number }>();
    expectTypeOf(ctx.job.data).toEqualTypeOf<{ region: string }>();
    expectTypeOf(ctx.job.name).toEqualTypeOf<'tile-export'>();
    expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
    await ctx.checkpoint({ done: 1 });
    // @ts-expect-error checkpoint shape is declared
    await ctx.checkpoint({ done: 'x' });
    await ctx.progress(0.5);
    return { bytes: 1 };
  });
  // @ts-expect-error the result must match the declared result
  worker.handle('tile-render', async () => ({ bytes: 'many' }));
  // @ts-expect-error unknown stage type
  worker.handle('tile-unknown', async () => undefined);
  // A stage with no declared result may return nothing or any JSON.
  worker.handle('tile-pack', (task) => {
    expectTypeOf(task.data).toEqualTypeOf<{ file: string }>();
  });
  // Optional zod schema must describe the task data.
  worker.handle('sweep', async (t) => ({ removed: t.data.olderThanDays }), { schema: z.object({ olderThanDays: z.number() }) });
  // @ts-expect-error schema of the wrong shape
  worker.handle('sweep', async () => ({ removed: 0 }), { schema: z.object({ other: z.string() }) });
  worker.on('taskCompleted', (e) => expectTypeOf(e.durationMs).toEqualTypeOf<number>());
  expectTypeOf<TaskContext<MyJobs, 'sweep'>['attempt']>().toEqualTypeOf<number>();
}

export async function untypedDefault() {
  const p = new ProducerClient({ baseUrl: 'http://localhost:1' });
  const job = await p.createJob('anything', { data: { any: ['json', 1, null] }, stages: [{ type: 'whatever', tasks: [{ data: 42 }, {}] }] });
  expectTypeOf(job.name).toEqualTypeOf<'anything'>();
  await p.addTasks('s', [{ data: 'x' }]);
  const w = new WorkerClient({ baseUrl: 'http://localhost:1' });
  w.handle('any-stage', async (task) => {
    expectTypeOf(task.data).toEqualTypeOf<JsonValue>();
    return { ok: true };
  });
}
