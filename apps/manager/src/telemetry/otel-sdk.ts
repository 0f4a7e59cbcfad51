// The OpenTelemetry Node SDK for the manager process, configured by the standard OTEL_* variables: off unless an
// OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), spans exported over
// OTLP/HTTP — protobuf by default, JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json. The exporters read the
// endpoint, headers, timeout and compression variables themselves; the provider reads OTEL_TRACES_SAMPLER and
// OTEL_BSP_*; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES name the service.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Telemetry {
  /** False when no exporter endpoint is configured (or OTEL_SDK_DISABLED / OTEL_TRACES_EXPORTER=none). */
  enabled: boolean;
  protocol?: string;
  endpoint?: string;
  /** Exports what is still buffered and stops; call before the process exits. */
  shutdown(): Promise<void>;
}

const OFF: Telemetry = { enabled: false, shutdown: async () => undefined };

/** Registers the global tracer provider, context manager and W3C propagators when OTEL_* asks for export. */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): Telemetry {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const exporterKind = (env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',')[0]!.trim();
  if (!endpoint || env.OTEL_SDK_DISABLED?.toLowerCase() === 'true' || exporterKind === 'none') return OFF;
  if (exporterKind !== 'otlp') throw new Error(`OTEL_TRACES_EXPORTER=${exporterKind} is not supported: use otlp (or none)`);
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: use http/protobuf or http/json`);
  const exporter = protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
  const provider = new NodeTracerProvider({
    // The default name is this process's; OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (read last) override it.
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': serviceName })).merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Registered through this module's @opentelemetry/api rather than provider.register(): the API ships ESM and
  // CommonJS builds, the SDK only CommonJS, and tracers taken from the ESM API before this call follow only a
  // provider registered through the ESM API.
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  return { enabled: true, protocol, endpoint, shutdown: () => provider.shutdown() };
}
