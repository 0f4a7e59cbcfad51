// Where the charts, their sources of truth and the renderer live.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PACKAGE = join(ROOT, 'test', 'helm');
export const MANAGER_CHART = join(ROOT, 'helm', 'jobnik-manager');
export const WORKER_CHART = join(ROOT, 'templates', 'worker', 'helm');
export const VALUES_DIR = join(PACKAGE, 'values');
export const RENDERER_SOURCE = join(PACKAGE, 'renderer');
export const CACHE = join(PACKAGE, '.cache');
export const RENDERER_BINARY = join(CACHE, 'render');
