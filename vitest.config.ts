import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration tests in test/, unit tests beside the code they test (src/**/*.test.ts; alone: npm run test:unit).
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // chDB is one engine per process: each test file gets its own forked process.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
    // Concurrent tests in a file (tail-resume's rounds, tail-cli's, replay-sink's scenarios) mostly
    // wait on child processes and real time: let all of a file's run at once (at most 6 today).
    maxConcurrency: 8,
  },
});
