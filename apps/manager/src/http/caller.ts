// Who is calling: the tenant new rows belong to and the scope of what they may see.
import { DEFAULT_TENANT, type Role } from '@jobnik/contracts';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';

export type { Role };

export interface Caller {
  tenantId: string;
  /** null: every tenant is visible (admin, or auth off). */
  scope: string | null;
  role: Role;
  keyId: string | null;
  /** Worker keys may be limited to some stage types; empty = all. */
  stageTypes: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

export const ANONYMOUS_ADMIN: Caller = { tenantId: DEFAULT_TENANT, scope: null, role: 'admin', keyId: null, stageTypes: [] };

export function callerOf(request: FastifyRequest): Caller {
  return request.caller ?? ANONYMOUS_ADMIN;
}

/** The tenant a new row belongs to: admins may name one; everyone else writes into their own. */
export function tenantForWrite(caller: Caller, requested: string | undefined): string {
  if (caller.scope === null) return requested ?? caller.tenantId;
  if (requested !== undefined && requested !== caller.scope) {
    throw new AppError('FORBIDDEN', 403, `this key belongs to tenant ${caller.scope} and cannot act for tenant ${requested}`);
  }
  return caller.scope;
}

/** Worker keys limited to some stage types may only take those. */
export function assertStageTypesAllowed(caller: Caller, stageTypes: string[]): void {
  if (caller.stageTypes.length === 0) return;
  const denied = stageTypes.filter((t) => !caller.stageTypes.includes(t));
  if (denied.length) throw new AppError('FORBIDDEN', 403, `this key may not take stage types: ${denied.join(', ')}`);
}
