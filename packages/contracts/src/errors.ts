// Error codes and the RFC 9457 problem document every 4xx/5xx answer carries.
import { z } from 'zod';

export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'INVALID_UTF8',
  'NUMBER_OUT_OF_RANGE',
  'MALFORMED_REQUEST',
  'HEADERS_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'TOO_MANY_TASKS',
  'ROUTE_NOT_FOUND',
  'JOB_NOT_FOUND',
  'STAGE_NOT_FOUND',
  'TASK_NOT_FOUND',
  'QUEUE_NOT_FOUND',
  'SCHEDULE_NOT_FOUND',
  'JOB_TYPE_NOT_FOUND',
  'API_KEY_NOT_FOUND',
  'QUEUE_GROUP_NOT_FOUND',
  'RATE_LIMIT_NOT_FOUND',
  'CONFIGURED_IN_FILE',
  'ILLEGAL_TRANSITION',
  'JOB_NOT_FINISHED',
  'LEASE_LOST',
  'TASK_NOT_RUNNING',
  'ALREADY_COMPLETED',
  'DUPLICATE_ITEM',
  'WEBHOOK_URL_BLOCKED',
  'IDEMPOTENCY_CONFLICT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export const ErrorCode = z.enum(ERROR_CODES).meta({ id: 'ErrorCode' });
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ProblemIssue = z
  .object({
    path: z.string().describe('JSON pointer-like path of the offending value, e.g. /body/stages/0/tasks/3/maxAttempts'),
    message: z.string(),
  })
  .meta({ id: 'ProblemIssue' });
export type ProblemIssue = z.infer<typeof ProblemIssue>;

export const Problem = z
  .object({
    type: z.string().describe('URI naming the problem type'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: ErrorCode,
    errors: z.array(ProblemIssue).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details with a stable machine code.' });
export type Problem = z.infer<typeof Problem>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
