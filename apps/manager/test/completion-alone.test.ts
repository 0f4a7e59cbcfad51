// On PostgreSQL a completion in the middle of a stage is one statement that commits on its own; one that could end
// a stage changes nothing on its own and runs in a transaction (on PGlite every batch runs in a transaction). Over
// real HTTP on both stores: which way each request went (its db.transaction spans, as an operator's tracing shows
// them), and that nothing happens twice — counts, history, the next stage and the job's end happen exactly once.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { beforeAll, describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { useManager } from './fixtures.js';

const exporter = new InMemorySpanExporter();
beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});

/** The db.transaction spans of the last POST /tasks/complete: per span, whether it found it needs a transaction. */
function lastCompletionTransactions(): (boolean | undefined)[] {
  const spans = exporter.getFinishedSpans();
  const request = spans.filter((s) => s.name === 'POST /tasks/complete').at(-1)!;
  const children = spans.filter((s: ReadableSpan) => s.name === 'db.transaction' && s.parentSpanContext?.spanId === request.spanContext().spanId);
  return children.map((s) => s.attributes['jobnik.needs_transaction'] as boolean | undefined);
}

describe.each(testStores())('completions on their own on %s', (store) => {
  const t = useManager(store);
  /** The spans of a batch that could end a stage: on PostgreSQL the attempt alone, then the transaction. */
  const endingStage = store === 'postgres' ? [true, undefined] : [undefined];

  it('mid-stage completions commit alone; the one that ends the stage runs in a transaction, and everything happens once', async () => {
    const job = (
      await t.a.post('/jobs', {
        name: 'alone',
        stages: [
          { type: 'alone-a', tasks: Array.from({ length: 6 }, (_, i) => ({ data: { i } })) },
          { type: 'alone-b', tasks: [{}] },
        ],
      })
    ).body;
    const leased = (await t.a.post('/dequeue', { workerId: 'w1', max: 6, stageTypes: ['alone-a'] })).body.tasks;
    expect(leased).toHaveLength(6);
    const item = (x: { id: string; leaseToken: string }) => ({ taskId: x.id, leaseToken: x.leaseToken, result: { by: 'w1' } });

    // Three of six: the stage stays open — one statement, committed alone.
    const first = await t.a.post('/tasks/complete', { items: leased.slice(0, 3).map(item) });
    expect(first.body.items).toEqual(leased.slice(0, 3).map((x: { id: string }) => ({ taskId: x.id, ok: true, status: 'COMPLETED' })));
    expect(lastCompletionTransactions()).toEqual([undefined]);
    expect((await t.a.get(`/stages/${job.stages[0].id}`)).body).toMatchObject({ status: 'IN_PROGRESS', summary: { completed: 3, inProgress: 3 } });

    // A fresh item beside a repeat of an applied one and a stale token: the fresh one completes alone, the others
    // are classified after it (the repeat is ok, the stale token lost its lease).
    const stale = { taskId: leased[1].id, leaseToken: '00000000-0000-4000-8000-000000000000' };
    const mixed = await t.a.post('/tasks/complete', { items: [item(leased[3]), item(leased[0]), stale] });
    expect(mixed.body.items).toEqual([
      { taskId: leased[3].id, ok: true, status: 'COMPLETED' },
      { taskId: leased[0].id, ok: true, status: 'COMPLETED' },
      { taskId: leased[1].id, ok: false, code: 'LEASE_LOST', status: 'COMPLETED' },
    ]);
    expect(lastCompletionTransactions()).toEqual([undefined]);
    expect((await t.a.get(`/stages/${job.stages[0].id}`)).body.summary).toMatchObject({ completed: 4, inProgress: 2 });

    // The last two end the stage: nothing alone, settled in the transaction, which opens the next stage.
    await t.a.post('/tasks/complete', { items: leased.slice(4).map(item) });
    expect(lastCompletionTransactions()).toEqual(endingStage);
    expect((await t.a.get(`/stages/${job.stages[0].id}`)).body).toMatchObject({ status: 'COMPLETED', summary: { completed: 6, inProgress: 0, pending: 0 } });
    const next = (await t.a.post('/dequeue', { workerId: 'w1', max: 5, stageTypes: ['alone-b'] })).body.tasks;
    expect(next).toHaveLength(1);
    await t.a.post('/tasks/complete', { items: [item(next[0])] });
    expect((await t.a.get(`/jobs/${job.id}`)).body.status).toBe('COMPLETED');

    const history = (await t.a.get(`/jobs/${job.id}/history?limit=1000`)).body.items as { kind: string; to: string; stageId: string | null }[];
    const count = (kind: string, to: string) => history.filter((e) => e.kind === kind && e.to === to).length;
    expect(count('attempt', 'COMPLETED')).toBe(7);
    expect(count('stage', 'COMPLETED')).toBe(2);
    expect(count('job', 'COMPLETED')).toBe(1);
  });

  it('completions of one stage racing each other, one task per request: the stage and the job end exactly once', async () => {
    const n = 40;
    const job = (await t.a.post('/jobs', { name: 'race', stages: [{ type: 'alone-race', tasks: Array.from({ length: n }, (_, i) => ({ data: { i } })) }] })).body;
    const leased = (await t.a.post('/dequeue', { workerId: 'racer', max: n, stageTypes: ['alone-race'] })).body.tasks;
    expect(leased).toHaveLength(n);
    const answers = await Promise.all(leased.map((x: { id: string; leaseToken: string }) => t.a.post('/tasks/complete', { items: [{ taskId: x.id, leaseToken: x.leaseToken }] })));
    expect(answers.map((r) => [r.status, r.body.items[0].ok])).toEqual(Array.from({ length: n }, () => [200, true]));
    expect((await t.a.get(`/stages/${job.stages[0].id}`)).body).toMatchObject({ status: 'COMPLETED', summary: { completed: n, inProgress: 0, pending: 0 } });
    expect((await t.a.get(`/jobs/${job.id}`)).body.status).toBe('COMPLETED');
    const history = (await t.a.get(`/jobs/${job.id}/history?limit=1000`)).body.items as { kind: string; to: string }[];
    expect(history.filter((e) => e.kind === 'attempt' && e.to === 'COMPLETED')).toHaveLength(n);
    expect(history.filter((e) => e.kind === 'stage' && e.to === 'COMPLETED')).toHaveLength(1);
    expect(history.filter((e) => e.kind === 'job' && e.to === 'COMPLETED')).toHaveLength(1);
  });
});
