// Which system a failed run's problem belongs to on the console overview: the summary's
// `failure.system` (set from the ApiError the client threw), never a guess from the error's words.
import { describe, expect, it } from 'vitest';
import { systemHealth } from '../../src/console/runner-backend.ts';
import type { RunRecord } from '../../src/runner/store.ts';
import type { RunFailure, RunSummary } from '../../src/workflow/contract.ts';

function failedRun(id: string, error: string, failure?: RunFailure): RunRecord {
  return {
    id,
    trigger: 'schedule',
    status: 'failed',
    dryRun: false,
    startedAt: '2026-03-01T10:00:00.000Z',
    finishedAt: '2026-03-01T10:00:05.000Z',
    error,
    summary: { ok: false, error, ...(failure ? { failure } : {}) } as RunSummary,
  } as RunRecord;
}

const problems = (runs: RunRecord[]) =>
  Object.fromEntries(systemHealth(runs).map((health) => [health.system, health.lastProblem]));

describe('system health on the overview', () => {
  it("puts a failure on the system the summary names, whatever the error's text says", () => {
    // The text names Primero (a case id in the reason); OSCaR is the system that failed.
    const run = failedRun(
      'r1',
      'Step f1-j2 (cases to OSCaR) failed: Primero case 7 not sent: 503',
      {
        step: 'f1-j2',
        system: 'oscar',
      },
    );
    expect(problems([run])).toEqual({ Primero: undefined, OSCaR: run.error });
  });

  it('shows a failure that names no system (older runs, a step failing on its own) for both', () => {
    const old = failedRun('r2', 'Step f2-j2 (upsert cases to Primero) failed: out of memory');
    expect(problems([old])).toEqual({ Primero: old.error, OSCaR: old.error });
    const own = failedRun('r3', 'Step f2-j2 (upsert cases to Primero) failed: bug', {
      step: 'f2-j2',
    });
    expect(problems([own])).toEqual({ Primero: own.error, OSCaR: own.error });
  });
});
