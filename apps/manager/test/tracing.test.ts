// The manager's spans are children of the caller's traceparent, which is stored on the job and handed
// to workers with each dequeued task.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestManager, type TestManager } from '../src/testing.js';
import { api } from './api.js';

describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  let m: TestManager;
  beforeAll(async () => {
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    m = await startTestManager({ store: 'pglite' });
  });
  afterAll(() => m.close());

  it('continues the caller trace and hands it to workers', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;
    const a = api(m.url);
    const job = (await a.post('/jobs', { name: 'traced', stages: [{ type: 'traced', tasks: [{}] }] }, { traceparent })).body;
    expect(job.traceparent).toBe(traceparent);
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.name === 'POST /jobs');
    expect(server?.spanContext().traceId).toBe(traceId);
    const tx = spans.find((s) => s.name === 'db.transaction' && s.spanContext().traceId === traceId);
    expect(tx?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    const d = (await a.post('/dequeue', { workerId: 'w', stageTypes: ['traced'] })).body;
    expect(d.jobs[0].traceparent).toBe(traceparent);
    expect(exporter.getFinishedSpans().filter((s) => s.name === 'dequeue')).toHaveLength(1);
  });

  it('records no span for a long-poll that hands out nothing', async () => {
    exporter.reset();
    await api(m.url).post('/dequeue', { workerId: 'w', stageTypes: ['traced'], waitMs: 50 });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
