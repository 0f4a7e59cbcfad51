// Unit tests of pure logic only (URL state, formatting, sparkline math): no browser, no plugins.
import { defaultClientConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source', ...defaultClientConditions] },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
