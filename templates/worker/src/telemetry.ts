// Tracing that leaves the process: the OpenTelemetry Node SDK, configured by the standard OTEL_* variables and
// off unless an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). Spans
// go out over OTLP/HTTP, protobuf by default or JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json; the exporter
// reads the endpoint, headers and timeout variables itself. The SDK's `task <stageType>` spans (children of the
// producer's trace) and the handler's own spans are what this worker exports.
import { context, isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ConfigError } from './config.js';

export interface Telemetry {
  enabled: boolean;
  /** Exports the spans still buffered and stops; call before the process exits. */
  shutdown(): Promise<void>;
}

/** Registers the global tracer provider, context manager and W3C propagators when OTEL_* asks for export. */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): Telemetry {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED?.toLowerCase() === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return { enabled: false, shutdown: async () => undefined };
  const protocolVar = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = env[protocolVar] || 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') throw new ConfigError(`${protocolVar}: ${protocol} is not supported: use http/protobuf or http/json`);
  const provider = new NodeTracerProvider({
    // OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES, read last, override the default name.
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': serviceName })).merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: [new BatchSpanProcessor(protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter())],
  });
  // Registered through this module's @opentelemetry/api rather than provider.register(): the API ships ESM and
  // CommonJS builds, the SDK only CommonJS, and tracers taken from the ESM API before this call follow only a
  // provider registered through the ESM API.
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  return { enabled: true, shutdown: () => provider.shutdown() };
}

/** pino `mixin`: log lines written inside a span (a task's handler) carry its trace_id and span_id. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}
