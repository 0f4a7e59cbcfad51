// Authentication and role checks for every route of the contracts' table (system routes stay open).
import { API_KEY_HEADER, type Role } from '@jobnik/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../services/auth-service.js';
import { AppError } from '../domain/errors.js';
import { ANONYMOUS_ADMIN } from '../domain/caller.js';

function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers[API_KEY_HEADER];
  if (typeof header === 'string' && header) return header;
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || null;
  return null;
}

export function installAuth(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('caller', null as never);
  app.addHook('onRequest', async (request) => {
    const roles = (request.routeOptions.config as { roles?: readonly Role[] } | undefined)?.roles;
    if (!roles) return; // health, metrics, docs, dashboard
    if (auth.options.mode === 'none') {
      request.caller = ANONYMOUS_ADMIN;
      return;
    }
    const key = presentedKey(request);
    if (!key) throw new AppError('UNAUTHORIZED', 401, `send an API key in the ${API_KEY_HEADER} header`);
    const caller = await auth.authenticate(key);
    if (!caller) throw new AppError('UNAUTHORIZED', 401, 'the API key is unknown or revoked');
    if (!roles.includes(caller.role)) {
      throw new AppError('FORBIDDEN', 403, `a ${caller.role} key may not call ${request.method} ${request.routeOptions.url}; allowed: ${roles.join(', ')}`);
    }
    request.caller = caller;
  });
}
