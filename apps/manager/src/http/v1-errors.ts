// The error answers of the /v1 route group: their shape { message, code } as application/json, their codes
// (VALIDATION_ERROR for every bad input) and statuses. Ours (401, 403, 413, 429, 503) keep their codes.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';
import { V1ApiError } from '../domain/v1-errors.js';
import { drainBody, fromDatabase, fromFastify } from './problem.js';

const AS_VALIDATION = new Set(['VALIDATION_FAILED', 'MALFORMED_JSON', 'DUPLICATE_ITEM']);

/** The path prefix of MapColonies' API. */
export const V1_PREFIX = '/v1';

/** Whether a request URL is under /v1 (its errors are answered in their shape). */
export function isV1Url(url: string): boolean {
  return url === V1_PREFIX || url.startsWith(`${V1_PREFIX}/`) || url.startsWith(`${V1_PREFIX}?`);
}

export function sendV1Error(reply: FastifyReply, status: number, code: string, message: string | undefined): FastifyReply {
  return send(reply, status, code, message);
}

function send(reply: FastifyReply, status: number, code: string, message: string | undefined): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ message: message ?? code, code });
}

export async function v1ErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (err instanceof V1ApiError) return send(reply, err.status, err.code, err.message);
  if (err instanceof AppError) {
    await drainBody(request.raw);
    return AS_VALIDATION.has(err.code) ? send(reply, 400, 'VALIDATION_ERROR', err.message) : send(reply, err.status, err.code, err.message);
  }
  const known = fromFastify(err);
  if (known) {
    await drainBody(request.raw);
    return AS_VALIDATION.has(known.code) ? send(reply, 400, 'VALIDATION_ERROR', known.detail) : send(reply, known.status, known.code, known.detail);
  }
  const fromDb = fromDatabase(err);
  if (fromDb) {
    request.log.warn({ err }, 'database error answered as %d', fromDb.status);
    if (fromDb.status === 503) {
      void reply.header('retry-after', '1');
      return send(reply, 503, 'DATABASE_RELATED_ERROR', fromDb.detail);
    }
    return send(reply, 400, 'VALIDATION_ERROR', fromDb.detail);
  }
  request.log.error({ err }, 'unhandled error');
  return send(reply, 500, 'UNKNOWN_ERROR', 'an unexpected error occurred; it has been logged');
}
