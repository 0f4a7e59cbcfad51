// Every error leaves as RFC 9457 problem+json with a stable code; this is the only place that maps them.
import { PROBLEM_CONTENT_TYPE, type ErrorCode, type Problem, type ProblemIssue } from '@jobnik/contracts';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodError } from 'zod';
import { isConflict, isConnectionError } from '../db/db.js';
import { OutageLog } from './outage-log.js';
import { AppError } from '../domain/errors.js';

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 503: 'Service Unavailable',
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

/** A parser's message quotes the body: keep it readable ASCII (binary bytes escaped) and short. */
function printable(message: string): string {
  const safe = message.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return safe.length > 300 ? `${safe.slice(0, 300)}…` : safe;
}

/** fastify's own errors (body parsing, limits, content type) by their codes. */
export function fromFastify(err: FastifyError): Problem | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, 'PAYLOAD_TOO_LARGE', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(400, 'MALFORMED_JSON', 'the body is empty; send a JSON document');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem(400, 'MALFORMED_JSON', printable(err.message));
    default:
      break;
  }
  if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/i.test(err.message))) return problem(400, 'MALFORMED_JSON', printable(err.message));
  if (err.statusCode === 413) return problem(413, 'PAYLOAD_TOO_LARGE', err.message);
  if (err.statusCode === 415) return problem(415, 'UNSUPPORTED_MEDIA_TYPE', err.message);
  if (err.statusCode === 429) return problem(429, 'RATE_LIMITED', err.message);
  return null;
}

/**
 * Database errors a request can cause or meet. Class 22 (data exception: a value PostgreSQL cannot store, such
 * as U+0000 in text) is the caller's input, so 400; a lost or refused connection is 503, to be retried. The
 * transaction was rolled back either way, so nothing was stored.
 */
export function fromDatabase(err: { code?: unknown; message: string }): Problem | null {
  const code = typeof err.code === 'string' ? err.code : '';
  if (/^22[0-9A-Z]{3}$/.test(code)) return problem(400, 'VALIDATION_FAILED', `the database cannot store a value in this request: ${err.message}`);
  if (isConnectionError(err)) {
    return problem(503, 'UNAVAILABLE', 'the database is unreachable right now; retry shortly');
  }
  if (isConflict(err)) {
    return problem(503, 'UNAVAILABLE', 'the database kept breaking deadlocks with this request (retried in the manager); retry shortly');
  }
  return null;
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type(PROBLEM_CONTENT_TYPE).send(p);
}

/** Unread body bytes an error answer still reads (and drops) before it is sent, and for how long at most. */
const DRAIN_LIMIT_BYTES = 256 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 30_000;

/**
 * Reads and drops what is left of a request body, so a client still sending it (a 413, a refused encoding)
 * finishes and then reads the answer: answered and closed mid-upload, most clients see only a broken pipe.
 */
export function drainBody(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData).off('end', done).off('close', done).off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_LIMIT_BYTES) done();
    };
    const timer = setTimeout(done, DRAIN_TIMEOUT_MS);
    req.on('data', onData).once('end', done).once('close', done).once('error', done);
    req.resume();
  });
}

/** Sends the problem once the request body has been read (or given up on). */
async function answer(request: FastifyRequest, reply: FastifyReply, p: Problem): Promise<FastifyReply> {
  await drainBody(request.raw);
  return sendProblem(reply, p);
}

/** The app's error handler: every error answered as problem+json; a database outage logged through one OutageLog. */
export function errorHandler(outage = new OutageLog()) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<FastifyReply> => answerError(outage, err, request, reply);
}

function answerError(outage: OutageLog, err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<FastifyReply> {
  if (err instanceof AppError) {
    return answer(request, reply, problem(err.status, err.code, err.message, { instance: request.url, errors: err.issues }));
  }
  const known = fromFastify(err);
  if (known) return answer(request, reply, { ...known, instance: request.url });
  const fromDb = fromDatabase(err);
  if (fromDb) {
    if (isConnectionError(err)) outage.unreachable(request.log, err);
    else request.log.warn({ err }, 'database error answered as %d', fromDb.status);
    if (fromDb.status === 503) void reply.header('retry-after', '1');
    return sendProblem(reply, { ...fromDb, instance: request.url });
  }
  request.log.error({ err }, 'unhandled error');
  return sendProblem(reply, problem(500, 'INTERNAL', 'an unexpected error occurred; it has been logged', { instance: request.url }));
}

/**
 * Node's HTTP parser rejected the request before fastify saw it (head over the size limit, malformed request
 * line): answer problem+json on the raw socket, as fastify's default handler does with its own body.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy(err);
    return;
  }
  const body = JSON.stringify(
    err.code === 'HPE_HEADER_OVERFLOW'
      ? problem(431, 'HEADERS_TOO_LARGE', 'the request line and headers exceed 16 KiB; move large values into the body')
      : problem(400, 'MALFORMED_REQUEST', `the HTTP request could not be parsed (${err.code ?? err.message})`),
  );
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
