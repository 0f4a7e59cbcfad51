// Serves the dashboard's static build at /ui (client-side routes get the app shell) and sends / there.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { ManagerConfig } from '../config.js';
import { problem, sendProblem } from './problem.js';

const built = (dir: string): string | null => (existsSync(join(dir, 'index.html')) ? dir : null);

/**
 * Where the dashboard's static build is: the configured directory, the copy shipped inside this package
 * (dist/dashboard, made by scripts/copy-assets.mjs), or the workspace's @jobnik/dashboard build.
 */
function dashboardDir(config: ManagerConfig): string | null {
  if (config.dashboard.dir) return config.dashboard.dir;
  const shipped = built(fileURLToPath(new URL('../dashboard', import.meta.url)));
  if (shipped) return shipped;
  try {
    return built(join(dirname(createRequire(import.meta.url).resolve('@jobnik/dashboard/package.json')), 'dist'));
  } catch {
    return null;
  }
}

export async function serveDashboard(app: FastifyInstance, config: ManagerConfig): Promise<void> {
  const ui = dashboardDir(config);
  if (ui) {
    await app.register(fastifyStatic, {
      root: ui,
      prefix: '/ui/',
      wildcard: false,
      cacheControl: false,
      // Vite names assets by content hash: cache them for good; the shell must be revalidated to pick up a new build.
      setHeaders: (res, file) => {
        res.setHeader('cache-control', /[\\/]assets[\\/]/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    // Client-side routes (/ui/jobs/…) load the app shell. A file that is not there (an asset of an older
    // build, a typo) is a 404: served index.html instead, a browser would run HTML as a script.
    app.get('/ui/*', (request, reply) => {
      const path = request.url.split('?')[0]!;
      if (path.startsWith('/ui/assets/') || /\.[A-Za-z0-9]+$/.test(path)) {
        return sendProblem(reply, problem(404, 'ROUTE_NOT_FOUND', `no file ${path}`, { instance: request.url }));
      }
      return reply.sendFile('index.html');
    });
    app.get('/ui', (_req, reply) => reply.redirect('/ui/'));
  } else {
    app.get('/ui', (_req, reply) => reply.type('text/plain').send('The dashboard is not built: run `pnpm --filter @jobnik/dashboard build`.'));
  }
  app.get('/', (_req, reply) => reply.redirect(ui ? '/ui/' : '/docs'));
}
