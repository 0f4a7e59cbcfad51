// A real npm registry on loopback: verdaccio with its storage in a temporary folder. Our packages are published
// to it; everything else is proxied from the npm registry this machine is configured with.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { waitFor } from '@jobnik/manager/testing';
import { start, userEnv, type Background } from './commands.js';

const VERDACCIO_BIN = join(dirname(createRequire(import.meta.url).resolve('verdaccio/package.json')), 'bin', 'verdaccio');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface LocalRegistry {
  url: string;
  /** An npmrc for users of this registry (registry + auth token): point npm_config_userconfig at it. */
  npmrc: string;
  process: Background;
  close(): Promise<void>;
}

/** Starts verdaccio in `dir` (config, storage, htpasswd) and registers a user whose token can publish. */
export async function startRegistry(dir: string, uplink: string): Promise<LocalRegistry> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `storage: ${join(dir, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${join(dir, 'htpasswd')}`,
      'uplinks:',
      '  npmjs:',
      `    url: ${uplink}`,
      '    timeout: 60s',
      'packages:',
      "  '@jobnik/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    proxy: npmjs',
      'log: { type: stdout, format: json, level: warn }',
      '',
    ].join('\n'),
  );
  const proc = start(process.execPath, [VERDACCIO_BIN, '--config', config, '--listen', `127.0.0.1:${port}`], dir, userEnv({}));
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`verdaccio exited: ${proc.lines.join('\n')}`);
      return (await fetch(`${url}-/ping`)).ok;
    },
    { timeoutMs: 60_000, intervalMs: 100, message: 'verdaccio up', onTimeout: () => proc.lines.join('\n') },
  );
  // `npm adduser` over HTTP: the answer carries the token npm would store.
  const res = await fetch(`${url}-/user/org.couchdb.user:jobnik`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'jobnik', password: 'jobnik-test-password', email: 'jobnik@example.invalid' }),
  });
  if (!res.ok) throw new Error(`verdaccio adduser: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  const npmrc = join(dir, 'npmrc');
  writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\nfund=false\naudit=false\nupdate-notifier=false\n`);
  return {
    url,
    npmrc,
    process: proc,
    async close() {
      await proc.stop();
    },
  };
}
