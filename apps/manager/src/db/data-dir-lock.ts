// The embedded store's data directory belongs to one process. PGlite takes no lock of its own, and a second process
// opening the same directory — a second `pnpm start`, `jobnik-manager migrate` while `serve` runs — writes beside the
// first and leaves it unreadable. A lock file beside the directory (`<dir>.lock`, taken before the directory is even
// created) names its holder: a live holder is never displaced; one that is gone (killed, crashed) is replaced.
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { DatabaseStartError } from './database-start-error.js';

interface Holder {
  pid: number;
  hostname: string;
  since: string;
}

/** An unreadable lock file younger than this may be one another process is writing. */
const FRESH_MS = 5_000;
const held = new Set<DataDirLock>();
let exitHooked = false;

export class DataDirLock {
  private released = false;

  private constructor(
    readonly path: string,
    private readonly content: string,
  ) {}

  /** Takes the lock of data directory `dir`, or throws DatabaseStartError naming the process that holds it. */
  static acquire(dir: string): DataDirLock {
    const path = `${resolve(dir)}.lock`;
    if ([...held].some((l) => l.path === path)) throw new DatabaseStartError(`the embedded store ${dir} is already open in this process`);
    mkdirSync(dirname(path), { recursive: true });
    const content = `${JSON.stringify({ pid: process.pid, hostname: hostname(), since: new Date().toISOString() } satisfies Holder)}\n`;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, content);
        } finally {
          closeSync(fd);
        }
        const lock = new DataDirLock(path, content);
        held.add(lock);
        hookExit();
        return lock;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST') throw err;
      }
      const seen = readOrNull(path);
      if (seen === null) continue; // released meanwhile
      const holder = parse(seen);
      if (holder && holds(holder)) {
        throw new DatabaseStartError(
          `the embedded store ${dir} is in use by another process (pid ${holder.pid} on ${holder.hostname}, since ${holder.since}): stop it, or give this one a store of its own (JOBNIK_PGLITE_DIR). If no Jobnik manager runs as that process, delete ${path}`,
        );
      }
      // A file still being written by a process that just created it reads empty: not ours to remove.
      if (!holder && Date.now() - mtimeMs(path) < FRESH_MS) throw new DatabaseStartError(`the embedded store ${dir} is being opened by another process right now (${path})`);
      // The holder is gone (or the file is not a lock we can read): replace it — unless someone else just did.
      if (readOrNull(path) === seen) removeIfPresent(path);
    }
    throw new DatabaseStartError(`could not take the lock ${path} of the embedded store ${dir}: other processes keep taking it`);
  }

  /** Gives the lock up (when the store closes, or at exit); a lock file that is no longer ours is left alone. */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    if (readOrNull(this.path) === this.content) removeIfPresent(this.path);
  }
}

/** Whether the recorded holder may still be running. Another host's process cannot be checked: assume it runs. */
function holds(h: Holder): boolean {
  if (h.hostname !== hostname()) return true;
  // Our own pid in a lock we have not taken: a previous run that had the same pid (a container's pid 1) and died.
  if (h.pid === process.pid) return false;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM'; // exists, another user's
  }
}

function parse(text: string): Holder | null {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return Number.isInteger(h.pid) && typeof h.hostname === 'string' ? { pid: h.pid!, hostname: h.hostname, since: String(h.since) } : null;
  } catch {
    return null;
  }
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return null;
    throw err;
  }
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
}

/** A process that ends without closing its store (an uncaught error, process.exit) still gives its locks up. */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const lock of [...held]) lock.release();
  });
}
