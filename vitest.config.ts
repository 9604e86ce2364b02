import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Unit tests of pure modules sit beside them in src/; suites that need the engine or the CLI in test/.
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // chDB is one engine per process: each test file gets its own forked process.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
