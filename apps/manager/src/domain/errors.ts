// Error families with stable codes; http/problem.ts maps them to RFC 9457 responses in one place.
import type { ErrorCode, ProblemIssue } from '@jobnik/contracts';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly issues?: ProblemIssue[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, issues?: ProblemIssue[], code: ErrorCode = 'VALIDATION_FAILED') {
    super(code, 400, message, issues);
  }
}

export type Entity = 'job' | 'stage' | 'task' | 'queue' | 'schedule' | 'job type' | 'API key' | 'job group' | 'rate limit';

const NOT_FOUND_CODES: Record<Entity, ErrorCode> = {
  job: 'JOB_NOT_FOUND',
  stage: 'STAGE_NOT_FOUND',
  task: 'TASK_NOT_FOUND',
  queue: 'QUEUE_NOT_FOUND',
  schedule: 'SCHEDULE_NOT_FOUND',
  'job type': 'JOB_TYPE_NOT_FOUND',
  'API key': 'API_KEY_NOT_FOUND',
  'job group': 'QUEUE_GROUP_NOT_FOUND',
  'rate limit': 'RATE_LIMIT_NOT_FOUND',
};

export class NotFoundError extends AppError {
  constructor(entity: Entity, id: string) {
    super(NOT_FOUND_CODES[entity], 404, `${entity} ${id} was not found`);
  }
}

export class IllegalTransitionError extends AppError {
  constructor(entity: Entity, id: string, from: string, to: string) {
    super('ILLEGAL_TRANSITION', 409, `${entity} ${id} cannot go from ${from} to ${to}`);
  }
}

export class ConflictError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(code, 409, message);
  }
}

/** A lifecycle call (cancel, suspend, resume, retry) the entity's status does not accept. */
export class IllegalActionError extends AppError {
  constructor(entity: Entity, id: string, action: string, status: string, accepted: readonly string[]) {
    super('ILLEGAL_TRANSITION', 409, `${entity} ${id} is ${status}; ${action} needs ${accepted.length ? accepted.join(' or ') : 'another status'}`);
  }
}
