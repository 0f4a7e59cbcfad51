// The span around one handler run: `task <stageType>`, a child of the trace the producer started
// (the job's stored traceparent), so a job's whole history is one trace.
import { INVALID_SPAN_CONTEXT, ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode, isSpanContextValid, trace, type Context, type Span } from '@opentelemetry/api';
import { contextFromTraceparent } from './propagation.js';

const TRACER = '@jobnik/sdk';

export interface TaskSpan {
  span: Span;
  /** Run the handler in this context so its own calls (ctx.producer, the user's HTTP calls) join the trace. */
  context: Context;
}

/** What the no-op tracer would give a root span: one shared non-recording span and its context. */
const NOOP_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const NOOP_ROOT: TaskSpan = { span: NOOP_SPAN, context: trace.setSpan(ROOT_CONTEXT, NOOP_SPAN) };

/** True while no tracer provider is registered (the global proxy has no delegate): every span would be a no-op. */
function tracingIsNoop(): boolean {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider && provider.getDelegateTracer(TRACER) === undefined;
}

export function startTaskSpan(
  task: { id: string; jobId: string; stageId: string; stageType: string; attempts: number },
  job: { name: string; traceparent: string | null; tracestate: string | null } | undefined,
): TaskSpan {
  const parent = contextFromTraceparent(job?.traceparent, job?.tracestate);
  if (tracingIsNoop()) {
    // Skip the span and its attributes: the no-op tracer would return a non-recording span carrying the
    // parent's span context, so the parent context itself propagates the same trace to the handler's calls.
    if (parent === ROOT_CONTEXT) return NOOP_ROOT;
    const sc = trace.getSpanContext(parent);
    if (sc && isSpanContextValid(sc)) return { span: NOOP_SPAN, context: parent };
  }
  const span = trace.getTracer(TRACER).startSpan(
    `task ${task.stageType}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'jobnik.task.id': task.id,
        'jobnik.job.id': task.jobId,
        'jobnik.stage.id': task.stageId,
        'jobnik.stage.type': task.stageType,
        'jobnik.task.attempt': task.attempts,
        ...(job ? { 'jobnik.job.name': job.name } : {}),
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

export function endTaskSpan(span: Span, outcome: string, error?: unknown): void {
  span.setAttribute('jobnik.task.outcome', outcome);
  if (error !== undefined) {
    if (error instanceof Error) span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}
