// pino `mixin`: every log line written while a span is active carries its trace_id and span_id, so logs and
// traces of one request or task can be joined.
import { isSpanContextValid, trace } from '@opentelemetry/api';

export function traceLogFields(): { trace_id?: string; span_id?: string; trace_flags?: string } {
  const sc = trace.getActiveSpan()?.spanContext();
  if (!sc || !isSpanContextValid(sc)) return {};
  return { trace_id: sc.traceId, span_id: sc.spanId, trace_flags: `0${sc.traceFlags.toString(16)}`.slice(-2) };
}
