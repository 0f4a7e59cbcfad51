import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Builds the Go renderer once before any test file runs.
    globalSetup: ['src/build-renderer.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
  },
});
