// Every failed call becomes an ApiError carrying an RFC 9457 problem, whatever the server (or the
// network) actually answered, so the UI has one shape to show.
import type { ProblemIssue } from './api-types.js';

/** The manager's problem+json, loosened: a proxy's HTML error page or a network failure fit too. */
export interface ProblemDetails {
  title: string;
  /** HTTP status; 0 when no answer arrived. */
  status: number;
  code?: string;
  detail?: string;
  errors?: ProblemIssue[];
}

export class ApiError extends Error {
  readonly problem: ProblemDetails;
  constructor(problem: ProblemDetails) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiError';
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string | undefined {
    return this.problem.code;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function issuesOf(v: unknown): ProblemIssue[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const issues = v.filter(isRecord).map((i) => ({ path: String(i.path ?? ''), message: String(i.message ?? '') }));
  return issues.length ? issues : undefined;
}

/** The problem an error answer describes: its problem+json when it has one, else what the status says. */
export function problemFromAnswer(status: number, statusText: string, body: string): ProblemDetails {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const fallbackTitle = statusText || `HTTP ${status}`;
  if (!isRecord(parsed)) {
    const text = body.trim();
    // A short plain-text answer is worth showing; an HTML error page is not.
    const detail = text && text.length <= 300 && !text.startsWith('<') ? text : undefined;
    return { title: fallbackTitle, status, ...(detail ? { detail } : {}) };
  }
  const problem: ProblemDetails = {
    title: typeof parsed.title === 'string' && parsed.title ? parsed.title : fallbackTitle,
    status: typeof parsed.status === 'number' ? parsed.status : status,
  };
  if (typeof parsed.code === 'string') problem.code = parsed.code;
  const detail = typeof parsed.detail === 'string' ? parsed.detail : typeof parsed.message === 'string' ? parsed.message : undefined;
  if (detail) problem.detail = detail;
  const errors = issuesOf(parsed.errors);
  if (errors) problem.errors = errors;
  return problem;
}

/** A call that got no answer at all (manager down, connection reset, offline). */
export function networkProblem(cause: unknown): ProblemDetails {
  const detail = cause instanceof Error && cause.message ? cause.message : 'the request did not reach the manager';
  return { title: 'Cannot reach the manager', status: 0, code: 'NETWORK_ERROR', detail };
}

export function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError({ title: 'Unexpected error', status: 0, detail: e instanceof Error ? e.message : String(e) });
}
