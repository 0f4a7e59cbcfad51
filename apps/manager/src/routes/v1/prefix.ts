// The /v1 routes are registered in a plugin prefixed with /v1 (so it can answer unknown /v1 paths in their shape):
// a route of the table is bound by its path below the prefix.
import type { RouteDef } from '@jobnik/contracts';
import { V1_PREFIX } from '../../http/v1-errors.js';

export { V1_PREFIX };

export function belowPrefix<D extends RouteDef>(def: D): D {
  return { ...def, path: def.path.slice(V1_PREFIX.length) };
}
