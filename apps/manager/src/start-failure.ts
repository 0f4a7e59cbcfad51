// Why a manager could not start, as the one line an operator reads — for the failures that are theirs to fix (its
// database, its data directory, its port) — or null for anything else, whose stack trace is for us.
import { DatabaseStartError } from './db/database-start-error.js';

/** What stopped the start, in one line, when it is the operator's to fix; null for anything else (ours: the stack). */
export function startFailureCause(err: unknown): string | null {
  if (err instanceof DatabaseStartError) return err.message;
  // `setting`: the listener's own, when it is not the API's (the metrics port).
  const e = err as { code?: unknown; syscall?: unknown; address?: unknown; port?: unknown; setting?: unknown };
  if (e?.syscall === 'listen' && (e.code === 'EADDRINUSE' || e.code === 'EACCES')) {
    const why = e.code === 'EADDRINUSE' ? 'is already in use by another process' : 'may not be opened by this user (a port below 1024?)';
    const setting = typeof e.setting === 'string' ? e.setting : 'JOBNIK_PORT (http.port) or JOBNIK_HOST (http.host)';
    return `${String(e.address)}:${String(e.port)} ${why} (${e.code}): choose another with ${setting}`;
  }
  return null;
}
