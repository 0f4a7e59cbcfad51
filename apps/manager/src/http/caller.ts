// The caller of a request, set by the auth hook (domain/caller.ts holds what a Caller is and may do).
import type { FastifyRequest } from 'fastify';
import { ANONYMOUS_ADMIN, type Caller } from '../domain/caller.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

export function callerOf(request: FastifyRequest): Caller {
  return request.caller ?? ANONYMOUS_ADMIN;
}
