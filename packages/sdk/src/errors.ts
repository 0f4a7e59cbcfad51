// Error classes users can `instanceof`, and the one place that maps a manager answer (problem+json
// `code`, else the HTTP status) or a transport failure to them.
import type { ErrorCode, Problem } from '@jobnik/contracts';

/** A problem `code` from the manager, or one the SDK raises itself for failures with no answer. */
export type JobnikErrorCode = ErrorCode | 'NETWORK_ERROR' | 'TIMEOUT' | 'CIRCUIT_OPEN' | 'HTTP_ERROR' | 'ABORTED' | 'CLIENT_CLOSED';

export interface JobnikErrorInit {
  code: JobnikErrorCode;
  status?: number;
  problem?: Problem;
  cause?: unknown;
  /** Delay the manager asked for (Retry-After), in ms. */
  retryAfterMs?: number;
}

/** Base of every error the SDK throws for a manager call. */
export class JobnikError extends Error {
  override name = 'JobnikError';
  readonly code: JobnikErrorCode;
  /** HTTP status of the answer; undefined when there was no answer (network, timeout, breaker open). */
  readonly status: number | undefined;
  /** The problem+json body as the manager sent it. */
  readonly problem: Problem | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, init: JobnikErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.problem = init.problem;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export class NotFoundError extends JobnikError {
  override name = 'NotFoundError';
  /** The manager's answer: always there for this class. */
  declare readonly status: number;
}
/** The request is valid but conflicts with the current state (409). */
export class ConflictError extends JobnikError {
  override name = 'ConflictError';
  /** The manager's answer: always there for this class. */
  declare readonly status: number;
}
/** The entity's state machine does not allow the change (e.g. resuming a completed job). */
export class IllegalTransitionError extends ConflictError {
  override name = 'IllegalTransitionError';
}
/** The idempotency key was used before with a different request. */
export class IdempotencyConflictError extends ConflictError {
  override name = 'IdempotencyConflictError';
}
/** The lease token no longer matches: the task was handed to someone else. */
export class LeaseLostError extends ConflictError {
  override name = 'LeaseLostError';
}
/** The manager rejected the input (400/413/415/422). `problem.errors` lists the offending paths. */
export class ValidationError extends JobnikError {
  override name = 'ValidationError';
  /** The manager's answer: always there for this class. */
  declare readonly status: number;
}
export class UnauthorizedError extends JobnikError {
  override name = 'UnauthorizedError';
  /** The manager's answer: always there for this class. */
  declare readonly status: number;
}
export class ForbiddenError extends JobnikError {
  override name = 'ForbiddenError';
  /** The manager's answer: always there for this class. */
  declare readonly status: number;
}
export class RateLimitedError extends JobnikError {
  override name = 'RateLimitedError';
  /** The manager's answer: always there for this class. */
  declare readonly status: number;
}
/** The manager could not be reached or answered that it is unavailable: network error, timeout, 502/503/504, breaker open. */
export class ManagerUnavailableError extends JobnikError {
  override name = 'ManagerUnavailableError';
  /** True when the request surely never reached the manager (connection refused, breaker open): safe to send again. */
  readonly unsent: boolean;
  constructor(message: string, init: JobnikErrorInit & { unsent?: boolean }) {
    super(message, init);
    this.unsent = init.unsent ?? false;
  }
}
/** Any other 5xx. */
export class ServerError extends JobnikError {
  override name = 'ServerError';
  /** The manager's answer: always there for this class. */
  declare readonly status: number;
}

type ErrorClass = new (message: string, init: JobnikErrorInit) => JobnikError;

const BY_CODE: Partial<Record<ErrorCode, ErrorClass>> = {
  VALIDATION_FAILED: ValidationError,
  MALFORMED_JSON: ValidationError,
  UNSUPPORTED_MEDIA_TYPE: ValidationError,
  PAYLOAD_TOO_LARGE: ValidationError,
  TOO_MANY_TASKS: ValidationError,
  ROUTE_NOT_FOUND: NotFoundError,
  JOB_NOT_FOUND: NotFoundError,
  STAGE_NOT_FOUND: NotFoundError,
  TASK_NOT_FOUND: NotFoundError,
  QUEUE_NOT_FOUND: NotFoundError,
  SCHEDULE_NOT_FOUND: NotFoundError,
  JOB_TYPE_NOT_FOUND: NotFoundError,
  API_KEY_NOT_FOUND: NotFoundError,
  ILLEGAL_TRANSITION: IllegalTransitionError,
  JOB_NOT_FINISHED: ConflictError,
  TASK_NOT_RUNNING: ConflictError,
  LEASE_LOST: LeaseLostError,
  IDEMPOTENCY_CONFLICT: IdempotencyConflictError,
  UNAUTHORIZED: UnauthorizedError,
  FORBIDDEN: ForbiddenError,
  RATE_LIMITED: RateLimitedError,
  UNAVAILABLE: ManagerUnavailableError,
  INTERNAL: ServerError,
};

function classForStatus(status: number): ErrorClass {
  if (status === 401) return UnauthorizedError;
  if (status === 403) return ForbiddenError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status === 429) return RateLimitedError;
  if (status === 502 || status === 503 || status === 504) return ManagerUnavailableError;
  if (status >= 500) return ServerError;
  return ValidationError;
}

function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string';
}

/** Builds the error for a non-2xx answer. `body` is the parsed JSON body when there was one. */
export function errorFromResponse(status: number, body: unknown, retryAfterMs?: number): JobnikError {
  const problem = isProblem(body) ? body : undefined;
  const known = problem && (BY_CODE as Record<string, ErrorClass | undefined>)[problem.code];
  const Class = known ?? classForStatus(status);
  const code: JobnikErrorCode = problem ? problem.code : 'HTTP_ERROR';
  const message = problem ? `${problem.title}${problem.detail ? `: ${problem.detail}` : ''}` : `HTTP ${status}`;
  return new Class(message, { code, status, problem, retryAfterMs });
}

/** Parses a Retry-After header (seconds or HTTP date) into ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
