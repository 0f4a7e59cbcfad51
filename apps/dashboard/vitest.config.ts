// Unit tests of pure logic only (URL state, formatting, sparkline math): no browser, no plugins.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
