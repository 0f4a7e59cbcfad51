// The embedded PGlite store, loaded only when there is no DATABASE_URL: it is an optional dependency, and the
// cluster image (apps/manager/Dockerfile, `pnpm deploy --no-optional`) leaves its ~27 MB out.
import { DatabaseStartError } from './database-start-error.js';
import type { Db } from './db.js';
import type * as PgliteModule from './pglite-db.js';
import type { WasmCompiler } from './pglite-db.js';

export type { WasmCompiler };

export async function openEmbeddedDb(dir: string, options: { sharedBuffers?: string; wasmCompiler?: WasmCompiler } = {}): Promise<Db> {
  let mod: typeof PgliteModule;
  try {
    mod = await import('./pglite-db.js');
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new DatabaseStartError(
      'DATABASE_URL is not set and the embedded PGlite store is not installed (images built for Kubernetes leave it out): set DATABASE_URL to a PostgreSQL connection string',
      { cause: err },
    );
  }
  return mod.PgliteDb.open(dir, options);
}
