import { defineConfig } from 'vitest/config';

/**
 * The cluster suite (npm run test:cluster): against docker-compose.cluster.yml, never part of
 * npm test; it skips itself with a message when the cluster does not answer.
 */
export default defineConfig({
  test: {
    include: ['test-cluster/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
