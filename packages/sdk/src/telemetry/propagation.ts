// W3C trace context in and out of HTTP headers through @opentelemetry/api's propagation, with a
// plain W3C reading/writing as fallback for processes that registered no propagator.
import { ROOT_CONTEXT, TraceFlags, context, isSpanContextValid, propagation, trace, type Context } from '@opentelemetry/api';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A fresh header object carrying the trace context of `ctx` (default: the active one). Never mutates anything given. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  if (carrier.traceparent === undefined) {
    const sc = trace.getSpanContext(ctx);
    if (sc && isSpanContextValid(sc)) {
      carrier.traceparent = `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
      const state = sc.traceState?.serialize();
      if (state) carrier.tracestate = state;
    }
  }
  return carrier;
}

/** The context a stored `traceparent` (e.g. the job's) describes, as the parent of new spans; ROOT when absent or invalid. */
export function contextFromTraceparent(traceparent: string | null | undefined, tracestate?: string | null): Context {
  if (!traceparent) return ROOT_CONTEXT;
  const carrier: Record<string, string> = { traceparent };
  if (tracestate) carrier.tracestate = tracestate;
  const extracted = propagation.extract(ROOT_CONTEXT, carrier);
  if (trace.getSpanContext(extracted)) return extracted;
  const m = TRACEPARENT.exec(traceparent.trim().toLowerCase());
  if (!m || m[1] === 'ff') return ROOT_CONTEXT;
  const sc = { traceId: m[2]!, spanId: m[3]!, traceFlags: parseInt(m[4]!, 16) & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(sc) ? trace.setSpanContext(ROOT_CONTEXT, sc) : ROOT_CONTEXT;
}
