// Builds the dashboard to static files the manager serves at /ui; in dev, proxies API calls to a local manager.
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

/** Path prefixes of the manager's API (the dashboard calls them on its own origin). */
const API_PREFIXES = ['/jobs', '/stages', '/tasks', '/queues', '/workers', '/stats', '/schedules', '/job-types', '/api-keys', '/health', '/openapi.json'];
const MANAGER_URL = process.env.JOBNIK_MANAGER_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/ui/',
  plugins: [react()],
  // Workspace packages resolve to their TypeScript sources (`@jobnik/contracts/states`), as in tests and tsc.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: Object.fromEntries(API_PREFIXES.map((p) => [p, { target: MANAGER_URL, changeOrigin: false }])),
  },
  preview: { host: '127.0.0.1', port: 4173 },
});
