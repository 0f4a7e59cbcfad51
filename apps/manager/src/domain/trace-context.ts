// W3C Trace Context as a job stores it from its create request's headers, for its tasks' workers to continue. The
// recommendation says a receiver ignores a traceparent it cannot parse, and the tracestate with it, and does not pass
// on a tracestate it failed to parse: so garbage is neither stored nor handed to workers (the job starts no trace).

/** Version 00: trace id and parent id in lowercase hex, neither all zeros; flags. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;
/** One list member: a key (simple, or tenant@system) and a value of printable ASCII without , and =. */
const MEMBER = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_MEMBERS = 32;
/** What a receiver must pass on at least; a longer list is dropped rather than cut. */
const MAX_TRACESTATE = 512;

export interface TraceContext {
  traceparent: string | null;
  tracestate: string | null;
}

/** The trace context to store from these header values (null for a header that is absent or repeated). */
export function traceContextOf(traceparent: string | null, tracestate: string | null): TraceContext {
  if (traceparent === null || !TRACEPARENT.test(traceparent)) return { traceparent: null, tracestate: null };
  return { traceparent, tracestate: tracestate === null ? null : validTracestate(tracestate) };
}

/** The list with its optional whitespace and empty members removed, or null when it cannot be parsed whole. */
function validTracestate(header: string): string | null {
  const members = header.split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (members.length === 0 || members.length > MAX_MEMBERS || !members.every((m) => MEMBER.test(m))) return null;
  const keys = members.map((m) => m.slice(0, m.indexOf('=')));
  if (new Set(keys).size !== keys.length) return null;
  const list = members.join(',');
  return list.length <= MAX_TRACESTATE ? list : null;
}
