// Every error leaves as RFC 9457 problem+json with a stable code; this is the only place that maps them.
import { PROBLEM_CONTENT_TYPE, type ErrorCode, type Problem, type ProblemIssue } from '@jobnik/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodError } from 'zod';
import { AppError } from '../domain/errors.js';

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export function problem(status: number, code: ErrorCode, detail: string, extra: { instance?: string; errors?: ProblemIssue[] } = {}): Problem {
  return {
    type: `https://jobnik.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(extra.instance ? { instance: extra.instance } : {}),
    ...(extra.errors?.length ? { errors: extra.errors } : {}),
  };
}

export function issuesOf(err: ZodError, where: string): ProblemIssue[] {
  return err.issues.map((i) => ({
    path: `/${where}${i.path.length ? `/${i.path.map(String).join('/')}` : ''}`,
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${(i as { keys: string[] }).keys.join(', ')}` : i.message,
  }));
}

/** fastify's own errors (body parsing, limits, content type) by their codes. */
function fromFastify(err: FastifyError): Problem | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, 'PAYLOAD_TOO_LARGE', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(400, 'MALFORMED_JSON', 'the body is empty; send a JSON document');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem(400, 'MALFORMED_JSON', err.message);
    default:
      break;
  }
  if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/i.test(err.message))) return problem(400, 'MALFORMED_JSON', err.message);
  if (err.statusCode === 413) return problem(413, 'PAYLOAD_TOO_LARGE', err.message);
  if (err.statusCode === 415) return problem(415, 'UNSUPPORTED_MEDIA_TYPE', err.message);
  if (err.statusCode === 429) return problem(429, 'RATE_LIMITED', err.message);
  return null;
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type(PROBLEM_CONTENT_TYPE).send(p);
}

export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof AppError) {
    return sendProblem(reply, problem(err.status, err.code, err.message, { instance: request.url, errors: err.issues }));
  }
  const known = fromFastify(err);
  if (known) return sendProblem(reply, { ...known, instance: request.url });
  request.log.error({ err }, 'unhandled error');
  return sendProblem(reply, problem(500, 'INTERNAL', 'an unexpected error occurred; it has been logged', { instance: request.url }));
}
