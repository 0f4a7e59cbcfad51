// vitest global setup: compiles the Go renderer (renderer/main.go) into .cache/render. Go's build cache makes
// the rebuild a no-op when the source is unchanged. Needs the Debian packages setup.sh installs.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE, RENDERER_BINARY, RENDERER_SOURCE } from './paths.js';

export default function setup(): void {
  mkdirSync(CACHE, { recursive: true });
  try {
    execFileSync('go', ['build', '-o', RENDERER_BINARY, '.'], {
      cwd: RENDERER_SOURCE,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // Debian's Go packages (sprig and its dependencies, yaml) live in GOPATH form, not as modules.
        GOPATH: '/usr/share/gocode',
        GO111MODULE: 'off',
        GOFLAGS: '',
        CGO_ENABLED: '0',
        GOCACHE: join(CACHE, 'go-build'),
      },
    });
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer };
    const why = e.code === 'ENOENT' ? 'the go command is missing' : String(e.stderr ?? err);
    throw new Error(`cannot build the chart renderer (${why}); run: sudo bash test/helm/setup.sh`);
  }
}
