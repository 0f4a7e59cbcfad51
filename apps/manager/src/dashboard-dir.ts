// Where the dashboard's static build is: the configured directory, the copy shipped inside this package
// (dist/dashboard, made by scripts/copy-assets.mjs), or the workspace's @jobnik/dashboard build.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManagerConfig } from './config.js';

const built = (dir: string): string | null => (existsSync(join(dir, 'index.html')) ? dir : null);

export function dashboardDir(config: ManagerConfig): string | null {
  if (config.dashboard.dir) return config.dashboard.dir;
  const shipped = built(fileURLToPath(new URL('./dashboard', import.meta.url)));
  if (shipped) return shipped;
  try {
    return built(join(dirname(createRequire(import.meta.url).resolve('@jobnik/dashboard/package.json')), 'dist'));
  } catch {
    return null;
  }
}
