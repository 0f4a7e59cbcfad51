// Copies what tsc does not emit next to the compiled code: the numbered .sql migrations, and the dashboard's
// static build (dist/dashboard), so the published package serves /ui without @jobnik/dashboard installed.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
cpSync(fileURLToPath(new URL('../src/migrations', import.meta.url)), join(dist, 'migrations'), { recursive: true });

const dashboard = join(dirname(createRequire(import.meta.url).resolve('@jobnik/dashboard/package.json')), 'dist');
rmSync(join(dist, 'dashboard'), { recursive: true, force: true });
if (existsSync(join(dashboard, 'index.html'))) cpSync(dashboard, join(dist, 'dashboard'), { recursive: true });
else console.warn(`copy-assets: no dashboard build at ${dashboard}; the package will not serve /ui (build @jobnik/dashboard first)`);
