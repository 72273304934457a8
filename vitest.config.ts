import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The emulators bind free loopback ports; files can run in parallel safely.
    pool: 'forks',
    // What the code under test prints (request lines, run logs) is shown for failing tests only.
    silent: 'passed-only',
  },
});
