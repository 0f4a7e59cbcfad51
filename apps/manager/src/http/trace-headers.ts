// The trace context of a create request, from its traceparent and tracestate headers (checked as W3C asks).
import type { FastifyRequest } from 'fastify';
import { traceContextOf, type TraceContext } from '../domain/trace-context.js';

export function traceHeadersOf(request: FastifyRequest): TraceContext {
  const header = (name: string) => {
    const v = request.headers[name];
    return typeof v === 'string' ? v : null;
  };
  return traceContextOf(header('traceparent'), header('tracestate'));
}
