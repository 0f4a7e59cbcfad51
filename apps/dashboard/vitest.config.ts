// Unit tests of pure logic only (URL state, formatting, sparkline math): no browser, no plugins.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The contracts' dependency-free entry is workspace TypeScript: read from its source, built or not.
  resolve: { alias: { '@jobnik/contracts/states': fileURLToPath(new URL('../../packages/contracts/src/states.ts', import.meta.url)) } },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
