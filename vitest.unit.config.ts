import { defineConfig } from 'vitest/config';

/** Unit tests only (npm run test:unit): pure code, no database, so threads instead of one process per file. */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    pool: 'threads',
    testTimeout: 5_000,
  },
});
