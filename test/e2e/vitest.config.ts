import { defineConfig } from 'vitest/config';

// Tests run the workspace packages' sources (the `source` export condition), as in dev.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One Chromium and one manager at a time on two shared cores.
    fileParallelism: false,
  },
});
