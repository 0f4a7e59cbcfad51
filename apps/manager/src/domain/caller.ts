// Who is calling and what they may touch: the tenant new rows belong to, the scope of what they may see,
// and the stage types a worker key may take. Pure rules; the HTTP layer attaches a Caller to each request.
import { DEFAULT_TENANT, type Role } from '@jobnik/contracts';
import { AppError } from './errors.js';

export type { Role };

/** null: every tenant (auth off or an admin key); otherwise only this tenant's rows are visible. */
export type TenantScope = string | null;

export interface Caller {
  tenantId: string;
  /** null: every tenant is visible (admin, or auth off). */
  scope: TenantScope;
  role: Role;
  keyId: string | null;
  /** The key's name, recorded as the actor of the changes it makes (history). */
  keyName?: string | null;
  /** Worker keys may be limited to some stage types; empty = all. */
  stageTypes: string[];
}

export const ANONYMOUS_ADMIN: Caller = { tenantId: DEFAULT_TENANT, scope: null, role: 'admin', keyId: null, stageTypes: [] };

/** The tenant a new row belongs to: admins may name one; everyone else writes into their own. */
export function tenantForWrite(caller: Caller, requested: string | undefined): string {
  if (caller.scope === null) return requested ?? caller.tenantId;
  if (requested !== undefined && requested !== caller.scope) {
    throw new AppError('FORBIDDEN', 403, `this key belongs to tenant ${caller.scope} and cannot act for tenant ${requested}`);
  }
  return caller.scope;
}

/** The tenant a read is limited to: the caller's scope, or for admins the tenant they asked for (null = all). */
export function tenantForRead(caller: Caller, requested: string | undefined): TenantScope {
  return caller.scope ?? requested ?? null;
}

/** Worker keys limited to some stage types may only take those. */
export function assertStageTypesAllowed(caller: Caller, stageTypes: string[]): void {
  if (caller.stageTypes.length === 0) return;
  const denied = stageTypes.filter((t) => !caller.stageTypes.includes(t));
  if (denied.length) throw new AppError('FORBIDDEN', 403, `this key may not take stage types: ${denied.join(', ')}`);
}
