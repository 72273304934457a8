// The items that land in a run (the runner's per-item history) are kept beside the run, never in
// the state the steps hand on: @openfn/runtime serialises and parses the whole state at each step's
// end and start and keeps the previous step's copy meanwhile (node_modules/@openfn/runtime
// dist/index.js, prepareFinalState and executeStep; OpenFn/kit packages/runtime/src/execute/step.ts),
// so a list growing with every item was copied at every step boundary (docs/performance.md).
import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../src/workflow/run.ts';
import type { CarriedState, StepId } from '../../src/workflow/contract.ts';
import type { Job } from '../../src/workflow/plan.ts';
import { recordUnchanged, recordWritten } from '../../src/workflow/outcomes.ts';

const systems = {
  primero: { url: 'http://127.0.0.1:1', username: 'u', password: 'primero-secret' },
  oscar: { url: 'http://127.0.0.1:2', email: 'a@b.c', password: 'oscar-secret' },
};
const carried: CarriedState = {
  cursors: { primero: '2025-04-01T00:00:00.000Z', oscar: '2025-04-01 00:00:00' },
  retries: [],
  deadLetters: [],
};

/** Steps that land one item each in f1-j2 and f2-j2, and keep what f2-j1 and f2-j2 were handed. */
function landingJobs(seen: string[], f2j2Fails = false): Record<StepId, Job> {
  return {
    'f1-j1': [
      (state) => ({
        ...state,
        primeroNextCursor: '2025-05-01T00:00:00.000Z',
        toOscar: {},
        closedReferralIds: [],
      }),
    ],
    'f1-j2': [
      (state) => {
        recordWritten(state.report, 'f1-j2', 'f1-j2:referral:case-1:ref-1', { case_id: 'case-1' });
        return state;
      },
    ],
    'f2-j1': [
      (state) => {
        seen.push(JSON.stringify(state));
        return { ...state, oscarNextCursor: '2025-05-02 00:00:00' };
      },
    ],
    'f2-j2': [
      (state) => {
        seen.push(JSON.stringify(state));
        recordUnchanged(state.report, 'f2-j2', 'f2-j2:case:G-1', { global_id: 'G-1' });
        if (f2j2Fails) throw new Error('Primero is unreachable');
        return state;
      },
    ],
  };
}

describe('items that landed', () => {
  it('reach the summary in order without travelling in any step input', async () => {
    const seen: string[] = [];
    const outcome = await runWorkflow({ systems, carried, itemOutcomes: true }, landingJobs(seen));
    expect(outcome.summary.ok).toBe(true);
    expect(outcome.summary.succeeded).toEqual([
      {
        key: 'f1-j2:referral:case-1:ref-1',
        step: 'f1-j2',
        outcome: 'written',
        ids: { case_id: 'case-1' },
      },
      { key: 'f2-j2:case:G-1', step: 'f2-j2', outcome: 'unchanged', ids: { global_id: 'G-1' } },
    ]);
    // The counts travel (they are constant size); the per-item list does not.
    expect(seen).toHaveLength(2);
    for (const input of seen) {
      const state = JSON.parse(input) as { report: Record<string, unknown> };
      expect(state.report.succeeded).toBeUndefined();
      expect(input).not.toContain('"case_id":"case-1"');
    }
  });

  it('of a run that failed later are still reported (the item history keeps them)', async () => {
    const outcome = await runWorkflow(
      { systems, carried, itemOutcomes: true },
      landingJobs([], true),
    );
    expect(outcome.summary.ok).toBe(false);
    expect(outcome.summary.succeeded?.map((item) => item.key)).toEqual([
      'f1-j2:referral:case-1:ref-1',
      'f2-j2:case:G-1',
    ]);
  });

  it('are not kept when the caller did not ask for them, nor by the next run', async () => {
    const without = await runWorkflow({ systems, carried }, landingJobs([]));
    expect(without.summary.ok).toBe(true);
    expect(without.summary.succeeded).toBeUndefined();
  });
});
