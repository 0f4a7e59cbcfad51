import { defineConfig } from 'vitest/config';

// Tests run the workspace packages' sources (the `source` export condition), as in dev.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    // Two shared cores and several child processes per test: one file at a time.
    fileParallelism: false,
  },
});
