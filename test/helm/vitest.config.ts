import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The autoscaling test runs the manager from its sources (the `source` export condition), as in dev.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    // Builds the Go renderer once before any test file runs.
    globalSetup: ['src/build-renderer.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
  },
});
