// Restarting the machine's PostgreSQL cluster (once per long run: it interrupts everyone's connections for a
// second or two) and making sure it is back up.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { waitFor } from '@jobnik/manager/testing';

const run = promisify(execFile);

export function clusterVersion(): string {
  const versions = readdirSync('/etc/postgresql');
  if (versions.length !== 1) throw new Error(`expected one PostgreSQL version in /etc/postgresql, found ${versions.join(', ') || 'none'}`);
  return versions[0]!;
}

export async function postgresReady(): Promise<boolean> {
  try {
    await run('pg_isready', ['-h', '127.0.0.1', '-p', '5432', '-t', '2']);
    return true;
  } catch {
    return false;
  }
}

export async function waitForPostgres(timeoutMs = 60_000): Promise<void> {
  await waitFor(postgresReady, { timeoutMs, intervalMs: 200, message: 'pg_isready -h 127.0.0.1' });
}

/** `pg_ctlcluster --skip-systemctl-redirect <version> main restart`, then waits until it accepts connections. */
export async function restartPostgres(): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', clusterVersion(), 'main', 'restart'], { timeout: 60_000 });
  await waitForPostgres();
}

/** Brings the cluster back if it is not answering (end of a run, whatever happened). */
export async function ensurePostgresUp(): Promise<void> {
  if (await postgresReady()) return;
  try {
    await waitForPostgres(10_000);
    return;
  } catch {
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', clusterVersion(), 'main', 'start'], { timeout: 60_000 }).catch(() => undefined);
  }
  await waitForPostgres();
}
