// The OTel wiring of the process: off unless OTEL_* names an endpoint, clear errors for what it cannot do, log
// lines that carry the active span's ids, and links built from stored traceparents.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { traceLogFields } from '../src/telemetry/log-trace.js';
import { startTelemetry } from '../src/telemetry/otel-sdk.js';
import { traceLinks } from '../src/telemetry/task-links.js';

describe('startTelemetry', () => {
  it('stays off without an exporter endpoint, or when disabled', async () => {
    expect(startTelemetry('m', {}).enabled).toBe(false);
    expect(startTelemetry('m', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
    expect(startTelemetry('m', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_TRACES_EXPORTER: 'none' }).enabled).toBe(false);
  });

  it('refuses a protocol or exporter it does not speak, naming the variable', () => {
    expect(() => startTelemetry('m', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc/);
    expect(() => startTelemetry('m', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER=zipkin/);
  });
});

describe('log lines and links', () => {
  it('a pino line written inside a span carries its trace_id and span_id, one outside carries none', () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
    const logger = pino({ mixin: traceLogFields }, sink);
    const span = trace.getTracer('t').startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.child({ reqId: 1 }).info('inside'));
    span.end();
    logger.info('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId, trace_flags: '01' });
    expect(lines[1]!.trace_id).toBeUndefined();
  });

  it('links each distinct valid stored traceparent once', () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const links = traceLinks([{ traceparent: tp }, { traceparent: tp }, { traceparent: null }, { traceparent: 'garbage' }, { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }]);
    expect(links).toEqual([{ context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true } }]);
  });
});
