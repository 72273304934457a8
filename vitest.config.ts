import { defineConfig } from 'vitest/config';
import { MAX_CONCURRENCY } from './src/workflow/lifecycle.ts';

const RELIABILITY = ['test/reliability/**/*.test.ts'];

/** The reliability suite again at the edges of the concurrency setting: no outcome may change. */
const reliabilityAt = (concurrency: number) => ({
  extends: true as const,
  test: {
    name: `reliability at concurrency ${concurrency}`,
    include: RELIABILITY,
    env: { RELIABILITY_CONCURRENCY: String(concurrency) },
  },
});

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The emulators bind free loopback ports; files can run in parallel safely.
    pool: 'forks',
    // What the code under test prints (request lines, run logs) is shown for failing tests only.
    silent: 'passed-only',
    projects: [
      // Every test, the reliability suite at the default concurrency (4) among them.
      { extends: true, test: { name: 'all', include: ['test/**/*.test.ts'] } },
      reliabilityAt(1),
      reliabilityAt(MAX_CONCURRENCY),
    ],
  },
});
