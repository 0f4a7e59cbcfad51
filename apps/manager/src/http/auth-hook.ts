// Authentication and role checks for every route of the contracts' table (system routes stay open).
import { API_KEY_HEADER, type Role } from '@jobnik/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../services/auth-service.js';
import { AppError } from '../domain/errors.js';
import { ANONYMOUS_ADMIN } from '../domain/caller.js';

function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers[API_KEY_HEADER];
  if (typeof header === 'string' && header) return header;
  // The scheme's name is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` are `Bearer`.
  const bearer = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '');
  return bearer ? bearer[1]! : null;
}

/** What a 401 tells a client about how to authenticate (RFC 9110 §11.6.1). */
const CHALLENGE = 'Bearer realm="jobnik"';

export function installAuth(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('caller', null as never);
  app.addHook('onRequest', async (request, reply) => {
    const roles = (request.routeOptions.config as { roles?: readonly Role[] } | undefined)?.roles;
    if (!roles) return; // health, metrics, docs, dashboard
    if (auth.options.mode === 'none') {
      request.caller = ANONYMOUS_ADMIN;
      return;
    }
    const key = presentedKey(request);
    if (!key) {
      reply.header('www-authenticate', CHALLENGE);
      throw new AppError('UNAUTHORIZED', 401, `send an API key in the ${API_KEY_HEADER} header or as Authorization: Bearer <key>`);
    }
    const caller = await auth.authenticate(key);
    if (!caller) {
      reply.header('www-authenticate', `${CHALLENGE}, error="invalid_token"`);
      throw new AppError('UNAUTHORIZED', 401, 'the API key is unknown or revoked');
    }
    if (!roles.includes(caller.role)) {
      throw new AppError('FORBIDDEN', 403, `a ${caller.role} key may not call ${request.method} ${request.routeOptions.url}; allowed: ${roles.join(', ')}`);
    }
    request.caller = caller;
  });
}
