// Before `pnpm start`: builds the dashboard once (a few seconds) so the URL the demo prints serves it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const index = fileURLToPath(new URL('../../dashboard/dist/index.html', import.meta.url));
if (!existsSync(index)) {
  console.log('Building the dashboard (first run only)…');
  try {
    execFileSync('pnpm', ['--filter', '@jobnik/dashboard', 'exec', 'vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  } catch {
    console.log('The dashboard could not be built; the demo runs without it (the API docs still work).');
  }
}
