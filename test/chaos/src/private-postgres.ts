// A PostgreSQL cluster of the run's own (initdb into a temporary directory, a free loopback port), so a run can stop
// it, crash it and keep it down without touching the machine's cluster, which other suites use at the same time.
// Same binaries and defaults as the machine's; as root its processes run as the `postgres` user.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { userInfo, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { portOutsideEphemeralRange } from '@jobnik/manager/testing';
import { clusterVersion } from './postgres.js';

const run = promisify(execFile);
const running = new Set<PrivatePostgres>();
let exitHooked = false;

/** How a stop looks to the database's clients: a clean shutdown, or a crash (no checkpoint; recovery at start). */
export type StopMode = 'fast' | 'immediate';

export class PrivatePostgres {
  private up = false;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** The superuser's URL of database `name`. */
  url(name = 'postgres'): string {
    return `postgres://jobnik@127.0.0.1:${this.port}/${name}`;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  static async create(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'jobnik-private-pg-'));
    if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    const pg = new PrivatePostgres(dir, await portOutsideEphemeralRange());
    await pg.pgBin('initdb', ['-D', pg.data, '-A', 'trust', '-U', 'jobnik', '--no-sync', '--no-instructions']);
    await pg.start();
    return pg;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`;
    await this.pgBin('pg_ctl', ['-D', this.data, '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']);
    this.up = true;
    running.add(this);
    hookExit();
  }

  async stop(mode: StopMode): Promise<void> {
    await this.pgBin('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '60', 'stop']);
    this.up = false;
    running.delete(this);
  }

  async destroy(): Promise<void> {
    if (this.up) await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous, for an exit hook: a run that dies must not leave a postmaster behind. */
  killSync(): void {
    try {
      execFileSync(...this.command('pg_ctl', ['-D', this.data, '-m', 'immediate', 'stop']), { stdio: 'ignore' });
    } catch {
      // already down
    }
  }

  private command(bin: string, args: string[]): [string, string[]] {
    const path = `/usr/lib/postgresql/${clusterVersion()}/bin/${bin}`;
    // PostgreSQL refuses to run as root.
    return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
  }

  private async pgBin(bin: string, args: string[]): Promise<void> {
    const [file, argv] = this.command(bin, args);
    await run(file, argv, { timeout: 90_000, cwd: this.dir });
  }
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const pg of running) pg.killSync();
  });
}

