// What OpenFn.org stores of a run is every step's output (a dataclip, 10 MB at most). Child data
// and the sent ledger go through the run's store, so an output grows by ids and counts only: at
// 10 000 + 10 000 records the largest must stay under 1 MB (docs/performance.md measured about
// 0.5 MB). Here a small seed, with the same per-record budget: 1 MB / 10 000 per record.
import { describe, expect, it } from 'vitest';
import { measureStepOutputs } from '../../bench/step-outputs.ts';

const CASES = 300;
const BUDGET = (1024 * 1024 * CASES) / 10_000;

describe('step outputs', () => {
  it('stay within 1 MB per 10 000 + 10 000 records, first and next hourly run alike', async () => {
    const runs = await measureStepOutputs(CASES);
    for (const { run, ok, bytes } of runs) {
      expect(ok, run).toBe(true);
      expect(Object.keys(bytes).sort(), run).toEqual(['f1-j1', 'f1-j2', 'f2-j1', 'f2-j2']);
      for (const [step, size] of Object.entries(bytes))
        expect(size, `${run} ${step}: ${size} bytes`).toBeLessThan(BUDGET);
    }
  }, 120_000);
});
