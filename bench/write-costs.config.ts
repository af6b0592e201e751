import { defineConfig } from 'vitest/config';

/** bench/write-costs.test.ts: counted costs of the #4/#5 write requests (one file, one worker, PostgreSQL). */
export default defineConfig({
  test: {
    include: ['bench/write-costs.test.ts'],
    globalSetup: ['server/test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
