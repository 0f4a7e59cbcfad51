// Traces leave the processes: the manager and the worker template run as real processes with only the standard
// OTEL_* variables set, export OTLP/HTTP (JSON) to a real receiver on loopback, and one trace runs from the
// producer's span through the manager's create span to the worker's task spans, with correct parents; the batch
// calls (dequeue, acks) link to it, and the worker's log lines inside a task carry its trace and span ids.
import { trace, SpanKind, type SpanContext } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ProducerClient } from '@jobnik/sdk';
import { createTestDatabase, testStores, waitFor, type TestDatabase } from '@jobnik/manager/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, traceTree, type ReceivedSpan } from '../src/otlp-receiver.js';
import { spawnSource, type Proc } from '../src/processes.js';

const STAGE = 'traced-render';
const TASKS = 3;
const receiver = new OtlpReceiver();
let provider: NodeTracerProvider;

beforeAll(async () => {
  await receiver.start();
  // The producer is this process: its spans go to the same receiver.
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'producer' }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }))],
  });
  provider.register();
});
afterAll(async () => {
  await provider?.shutdown();
  await receiver.close();
});

const otelEnv = () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100' });

describe.each(testStores())('one trace from producer to worker, manager on %s', (store) => {
  let db: TestDatabase | undefined;
  let manager: Proc;
  let worker: Proc;
  let url: string;

  beforeAll(async () => {
    db = store === 'postgres' ? await createTestDatabase() : undefined;
    manager = spawnSource('apps/manager', 'src/main.ts', ['serve'], {
      ...otelEnv(),
      ...(db ? { DATABASE_URL: db.url } : { DATABASE_URL: '', JOBNIK_PGLITE_DIR: 'memory://' }),
      JOBNIK_HOST: '127.0.0.1',
      JOBNIK_PORT: '0',
    });
    const listening = await waitFor(() => manager.lines.find((l) => l.startsWith('Jobnik manager: ')), { timeoutMs: 60_000, message: 'manager listening', onTimeout: () => manager.lines.join('\n') });
    url = listening.split(' ')[2]!;
    worker = spawnSource('templates/worker', 'src/main.ts', [], {
      ...otelEnv(),
      JOBNIK_MANAGER_URL: url,
      WORKER_STAGE_TYPES: STAGE,
      WORKER_HEALTH_PORT: '0',
      WORKER_WAIT_MS: '1000',
      TILE_WORK_MS: '1',
      TILE_FAILURE_RATE: '0',
      LOG_LEVEL: 'debug',
    });
    await waitFor(() => worker.logged('worker started').length > 0, { timeoutMs: 60_000, message: 'worker started', onTimeout: () => worker.lines.join('\n') });
  });

  afterAll(async () => {
    await worker?.stop();
    await manager?.stop();
    await db?.drop();
  });

  it('exports the producer, manager and worker spans of one job as one trace with the right parents', async () => {
    const producer = new ProducerClient({ baseUrl: url });
    const tracer = trace.getTracer('tracing-test');
    let root!: SpanContext;
    const job = await tracer.startActiveSpan('produce tile-export', { kind: SpanKind.PRODUCER }, async (span) => {
      root = span.spanContext();
      try {
        return await producer.createJob('tile-export', { data: { region: store }, stages: [{ type: STAGE, tasks: Array.from({ length: TASKS }, (_, x) => ({ data: { x, y: 0, zoom: 1 } })) }] });
      } finally {
        span.end();
      }
    });
    expect((await producer.waitForJob(job.id, { pollMs: 50, timeoutMs: 30_000 })).status).toBe('COMPLETED');
    await producer.close();

    const inTrace = (name: string, service: string) => receiver.spans.filter((s) => s.traceId === root.traceId && s.name === name && s.service === service);
    const linkedTo = (name: string) => receiver.spans.filter((s) => s.name === name && s.service === 'jobnik-manager' && s.links.some((l) => l.traceId === root.traceId && l.spanId === root.spanId));
    await waitFor(() => inTrace('POST /jobs', 'jobnik-manager').length === 1 && inTrace(`task ${STAGE}`, 'jobnik-worker').length === TASKS && linkedTo('dequeue').length > 0 && linkedTo('POST /tasks/complete').length > 0, {
      timeoutMs: 20_000,
      message: `spans of trace ${root.traceId}`,
      onTimeout: () => `received ${receiver.spans.map((s) => `${s.service}:${s.name}`).join(', ')}`,
    });
    console.log(`[${store}] ${traceTree(receiver.spans, root.traceId)}`);

    const [produce] = inTrace('produce tile-export', 'producer') as [ReceivedSpan];
    expect(produce.parentSpanId).toBeUndefined();
    // The manager's server span continues the producer's traceparent; its transaction nests under it.
    const [create] = inTrace('POST /jobs', 'jobnik-manager') as [ReceivedSpan];
    expect(create).toMatchObject({ kind: 2 /* SERVER */, parentSpanId: root.spanId, attributes: { 'http.route': '/jobs', 'http.response.status_code': 201 } });
    expect(inTrace('db.transaction', 'jobnik-manager').some((s) => s.parentSpanId === create.spanId)).toBe(true);
    // Each task span is a child of the trace context the job stored (the producer's span), one per task.
    const tasks = inTrace(`task ${STAGE}`, 'jobnik-worker');
    expect(new Set(tasks.map((t) => t.attributes['jobnik.task.id'])).size).toBe(TASKS);
    for (const t of tasks) expect(t).toMatchObject({ kind: 5 /* CONSUMER */, parentSpanId: root.spanId, attributes: { 'jobnik.job.id': job.id, 'jobnik.task.outcome': 'completed' } });

    // The worker's log lines inside a task carry that task's span.
    const rendered = worker.logged('tile rendered');
    expect(rendered).toHaveLength(TASKS);
    for (const line of rendered) {
      expect(line.trace_id).toBe(root.traceId);
      expect(tasks.map((t) => t.spanId)).toContain(line.span_id);
    }
    expect(receiver.rejected).toEqual([]);
  });

  it('flushes on SIGTERM: both processes exit 0', async () => {
    expect(await worker.stop()).toBe(0);
    expect(await manager.stop()).toBe(0);
  });
});
