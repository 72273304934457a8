import { defineConfig } from 'vitest/config';
import { MAX_CONCURRENCY } from './src/workflow/lifecycle.ts';

const RELIABILITY = ['test/reliability/**/*.test.ts'];

/** The reliability suite again at the edges of the concurrency setting: no outcome may change. */
const reliabilityAt = (concurrency: number) => ({
  extends: true as const,
  test: {
    name: `reliability at concurrency ${concurrency}`,
    include: RELIABILITY,
    // The crash trials and the privacy scan drive the CLI, which this setting does not reach.
    exclude: ['test/reliability/crash-trials.test.ts', 'test/reliability/privacy-scan.test.ts'],
    env: { RELIABILITY_CONCURRENCY: String(concurrency) },
  },
});

/**
 * The tests that drive the sync or its Primero client against the Primero emulator, again with
 * the emulator playing Primero v2.5 (token sign-in, 422 on unknown keys): the sync must work on
 * every Primero from v2.5 to the current one with no setting. The default project plays the
 * current Primero.
 */
const primeroV25 = {
  extends: true as const,
  test: {
    name: 'primero 2.5',
    include: ['test/e2e/**/*.test.ts', 'test/clients/primero*.test.ts', ...RELIABILITY],
    // Killed processes and run locks do not depend on the Primero version: not run twice.
    exclude: [
      'test/reliability/crash.test.ts',
      'test/reliability/crash-trials.test.ts',
      'test/reliability/privacy-scan.test.ts',
      'test/reliability/concurrency.test.ts',
    ],
    env: { PRIMERO_EMULATOR_PROFILE: '2.5' },
  },
};

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The CLI tests run `bin/interop.js` as users do, i.e. the compiled dist/cli: rebuilt first
    // when a source changed since the last build.
    globalSetup: ['test/build-cli.setup.ts'],
    // The emulators bind free loopback ports; files can run in parallel safely.
    pool: 'forks',
    // What the code under test prints (request lines, run logs) is shown for failing tests only.
    silent: 'passed-only',
    projects: [
      // Every test, the reliability suite at the default concurrency (4) among them.
      { extends: true, test: { name: 'all', include: ['test/**/*.test.ts'] } },
      reliabilityAt(1),
      reliabilityAt(MAX_CONCURRENCY),
      primeroV25,
    ],
  },
});
