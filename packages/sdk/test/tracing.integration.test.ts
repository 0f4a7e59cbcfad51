// Trace context across the system: the producer's trace is stored on the job and the worker's task span is its child.
import { describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { Registry } from 'prom-client';
import { setupOtel } from './helpers/otel.js';
import { useManager } from './helpers/manager.js';

const exporter = setupOtel();

describe.each(testStores())('tracing (%s)', (store) => {
  const m = useManager(store);

  it("makes the worker's task span a child of the producer's span, and creates no spans for empty polls", async () => {
    exporter.reset();
    const producer = m.producer();
    const type = m.unique('traced');
    const tracer = trace.getTracer('test-producer');
    const { job, parent } = await tracer.startActiveSpan('enqueue tiles', async (span) => {
      const created = await producer.createJob('traced', { stages: [{ type, tasks: [{ data: 1 }] }] });
      span.end();
      return { job: created, parent: span.spanContext() };
    });
    expect(job.traceparent).toContain(parent.traceId);

    const registry = new Registry();
    const worker = m.worker({ concurrency: 1, waitMs: 200, registry });
    let handlerTraceId: string | undefined;
    worker.handle(type, () => {
      handlerTraceId = trace.getActiveSpan()?.spanContext().traceId;
      return { ok: true };
    });
    await worker.start();
    expect((await producer.waitForJob(job.id, { pollMs: 50, timeoutMs: 10_000 })).status).toBe('COMPLETED');
    // A few empty long-polls after the work is done.
    const empty = async () => (await registry.getSingleMetric('jobnik_worker_dequeue_empty_total')!.get()).values[0]?.value ?? 0;
    const seen = await empty();
    await waitFor(async () => (await empty()) >= seen + 3, { message: 'three empty polls' });

    const taskSpan = await waitFor(() => exporter.getFinishedSpans().find((s) => s.name === `task ${type}`));
    expect(taskSpan.spanContext().traceId).toBe(parent.traceId);
    expect(taskSpan.parentSpanContext?.spanId).toBe(parent.spanId);
    expect(taskSpan.attributes['jobnik.task.outcome']).toBe('completed');
    expect(handlerTraceId).toBe(parent.traceId);
    // The SDK's own spans (the in-process manager records its spans on the same provider): one per task, none per poll.
    const sdkSpans = exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@jobnik/sdk');
    expect(sdkSpans.map((s) => s.name)).toEqual([`task ${type}`]);
  });
});
