import { defineConfig } from 'vitest/config';

// Tests run the workspace packages' sources (the `source` export condition), as in dev.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two shared cores: integration files start their own managers; run files one at a time.
    fileParallelism: false,
  },
});
