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

  it('stores and hands to workers only a trace context that parses (W3C: a receiver ignores one it cannot)', async () => {
    const a = api(m.url);
    const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const created = async (headers: Record<string, string>) => {
      const r = await a.post('/jobs', { name: 'trace-headers', stages: [{ type: 'trace-headers', tasks: [{}] }] }, headers);
      expect(r.status).toBe(201);
      return { traceparent: r.body.traceparent, tracestate: r.body.tracestate };
    };
    for (const traceparent of ['garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', `${valid}-extra`, valid.toUpperCase()]) {
      expect(await created({ traceparent, tracestate: 'vendor=a' }), traceparent).toEqual({ traceparent: null, tracestate: null });
    }
    expect(await created({ traceparent: valid, tracestate: 'a=a=a=' })).toEqual({ traceparent: valid, tracestate: null });
    expect(await created({ traceparent: valid, tracestate: `k=${'v'.repeat(3000)}` })).toEqual({ traceparent: valid, tracestate: null });
    expect(await created({ traceparent: valid, tracestate: 'congo=t61rcWkgMzE , rojo=00f067aa0ba902b7,,' })).toEqual({ traceparent: valid, tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' });
    // The workers get what was stored, nothing else.
    const d = (await a.post('/dequeue', { workerId: 'w', stageTypes: ['trace-headers'], max: 10 })).body;
    expect(new Set(d.jobs.map((j: { traceparent: string | null }) => j.traceparent))).toEqual(new Set([null, valid]));
  });

  it('records no span for a long-poll that hands out nothing', async () => {
    exporter.reset();
    await api(m.url).post('/dequeue', { workerId: 'w', stageTypes: ['traced'], waitMs: 50 });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
