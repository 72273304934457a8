// The concurrency setting is bounded: the runner's configuration and a run's own settings (custom
// input on OpenFn.org) refuse values outside 1..MAX_CONCURRENCY with a message naming the fix.
import { describe, expect, it } from 'vitest';
import { memoryStateStore, useStateStoreFactory } from '../../src/workflow/state-store.ts';
import { ConfigError, readConfig } from '../../src/config/env.ts';
import { FIRST_RUN_MESSAGE, startRun } from '../../src/openfn/lightning-run.ts';
import { MAX_CONCURRENCY, openRun } from '../../src/workflow/lifecycle.ts';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    readConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('INTEROP_CONCURRENCY', () => {
  it('takes 1 and the maximum', () => {
    expect(readConfig({ INTEROP_CONCURRENCY: '1' }).settings.concurrency).toBe(1);
    expect(readConfig({ INTEROP_CONCURRENCY: String(MAX_CONCURRENCY) }).settings.concurrency).toBe(
      MAX_CONCURRENCY,
    );
  });
  it.each(['0', String(MAX_CONCURRENCY + 1), '2.5', 'many'])(
    'refuses %s, naming the range',
    (value) => {
      expect(problemsOf({ INTEROP_CONCURRENCY: value })).toEqual([
        `INTEROP_CONCURRENCY must be a whole number from 1 to ${MAX_CONCURRENCY}`,
      ]);
    },
  );
});

describe('a run refuses a concurrency it cannot use', () => {
  const startedAt = '2025-03-10T08:00:00.000Z';
  it('openRun: not started, the reason names the setting', () => {
    const opened = openRun({
      since: '2025-01-01T00:00:00Z',
      settings: { concurrency: MAX_CONCURRENCY + 1 },
      startedAt,
    });
    expect(opened).toMatchObject({ ok: false, reason: 'settings' });
    expect(opened.ok ? '' : opened.error).toMatch(
      /concurrency must be a whole number from 1 to 16, got 17/,
    );
  });
  it('OpenFn.org custom input: the settings problem is reported, not the first-run hint', async () => {
    useStateStoreFactory(() => memoryStateStore());
    await expect(
      startRun({ carried: { cursors: {} }, settings: { concurrency: 0 } }),
    ).rejects.toThrow(/concurrency must be a whole number/);
    useStateStoreFactory(() => memoryStateStore());
    await expect(startRun({ carried: { cursors: {} } })).rejects.toThrow(FIRST_RUN_MESSAGE);
  });
});
