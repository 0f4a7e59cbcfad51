// Without any OTel SDK registered (the API's no-op propagator), trace context still travels: the SDK
// falls back to plain W3C reading and writing.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { contextFromTraceparent, traceHeaders } from './propagation.js';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace propagation without a registered propagator', () => {
  it('writes the traceparent of a context with a span', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
    expect(traceHeaders(ctx)).toEqual({ traceparent: TP });
    expect(traceHeaders(ROOT_CONTEXT)).toEqual({});
  });

  it('reads a stored traceparent back as a remote parent', () => {
    const sc = trace.getSpanContext(contextFromTraceparent(TP, null));
    expect(sc).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true });
  });

  it('ignores absent or malformed values', () => {
    expect(trace.getSpanContext(contextFromTraceparent(null))).toBeUndefined();
    expect(trace.getSpanContext(contextFromTraceparent('garbage'))).toBeUndefined();
    expect(trace.getSpanContext(contextFromTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01'))).toBeUndefined();
  });
});
