// Batch calls (dequeue, acks, heartbeats) serve tasks of many jobs, so their spans cannot be children of each
// job's trace; they link to those traces instead. The lookups run only when the span is being recorded.
import { isSpanContextValid, trace, TraceFlags, type Link, type Span } from '@opentelemetry/api';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

interface Traced {
  traceparent?: string | null;
  tracestate?: string | null;
}

/** One link per distinct stored traceparent (malformed ones are skipped). */
export function traceLinks(jobs: Traced[]): Link[] {
  const links = new Map<string, Link>();
  for (const j of jobs) {
    const m = j.traceparent ? TRACEPARENT.exec(j.traceparent) : null;
    if (!m || links.has(j.traceparent!)) continue;
    const context = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) & TraceFlags.SAMPLED, isRemote: true };
    if (isSpanContextValid(context)) links.set(j.traceparent!, { context });
  }
  return [...links.values()];
}

/** Links `span` to the traces of the jobs in `jobsJson` (the dequeue answer's `jobs` array, as JSON text). */
export function linkJobTraces(span: Span, jobsJson: string): void {
  if (span.isRecording()) span.addLinks(traceLinks(JSON.parse(jobsJson) as Traced[]));
}

/** Links the active span (an ack's or heartbeat's server span) to the traces `lookup` finds (run only while recording). */
export async function linkTaskTraces(lookup: () => Promise<Traced[]>): Promise<void> {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  try {
    span.addLinks(traceLinks(await lookup()));
  } catch {
    // Links are a convenience of tracing: a failed lookup must not fail the call it describes.
  }
}
