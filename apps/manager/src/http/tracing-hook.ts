// OpenTelemetry spans for every request, children of the caller's traceparent. Uses only
// @opentelemetry/api: without an SDK registered by the operator these are no-ops.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { tracer } from '../telemetry/tracer.js';

const spans = new WeakMap<object, Span>();

/** Long-polls mostly come back empty: they get a span only when they hand out work (see WorkService). */
const UNTRACED = new Set(['/dequeue', '/queues/:stageType/dequeue']);

export function installTracing(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (UNTRACED.has(request.routeOptions.url ?? '')) return done();
    const parent = propagation.extract(context.active(), request.headers);
    const span = tracer.startSpan(
      `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': request.routeOptions.url ?? '' } },
      parent,
    );
    spans.set(request, span);
    // The rest of the request runs in the span's context, so transaction spans nest under it.
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}
