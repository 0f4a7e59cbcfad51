// The embedded store's data directory as PGlite can open it, and why it cannot be used in one line an operator reads.
// PGlite's file system cannot open a store through a symlink of its own name (a bare ErrnoError 44), and a directory
// that is a file, or not ours to write, failed with a stack trace from deep inside the start.
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatabaseStartError } from './database-start-error.js';

const cannotUse = (dir: string, why: string) => new DatabaseStartError(`the embedded store's data directory ${dir} (JOBNIK_PGLITE_DIR) cannot be used: ${why}`);

/** The directory to open: absolute, its symlinks resolved; one that exists must be a directory this user can write. */
export function usableDataDir(dir: string): string {
  let path = resolve(dir);
  try {
    path = realpathSync(path);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return path; // created on first start
    throw startErrorOf(dir, err);
  }
  if (!statSync(path).isDirectory()) throw cannotUse(dir, `${path} is not a directory`);
  try {
    accessSync(path, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    throw cannotUse(dir, `this user (uid ${process.getuid?.() ?? '?'}) may not read and write ${path}`);
  }
  return path;
}

/** A file system error met while opening the store (creating its directory or lock, PGlite's own), as that one line; anything else unchanged. */
export function startErrorOf(dir: string, err: unknown): unknown {
  if (err instanceof DatabaseStartError) return err;
  const e = err as { code?: unknown; name?: unknown; errno?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return cannotUse(dir, String(e.message));
  if (e?.name === 'ErrnoError') return cannotUse(dir, `PGlite's file system refused it (errno ${String(e.errno)})`);
  return err;
}
