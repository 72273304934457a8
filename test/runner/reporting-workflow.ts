// A stand-in for src/workflow/run.ts that finishes a run (ok, cursors moved) reporting the given
// items: failed ones (queued for retry) and ones that landed (summary.succeeded).
import type { RunWorkflow } from '../../src/runner/run-once.ts';
import { STEP_IDS } from '../../src/workflow/contract.ts';
import type {
  FailedItem,
  RunSummary,
  StepCounts,
  StepId,
  SucceededItem,
} from '../../src/workflow/contract.ts';

export function reporting(items: {
  succeeded?: SucceededItem[];
  failed?: FailedItem[];
}): RunWorkflow {
  return async () => {
    const steps = Object.fromEntries(
      STEP_IDS.map((step) => [
        step,
        { fetched: 0, written: 0, unchanged: 0, failed: 0, skipped: 0 },
      ]),
    ) as Record<StepId, StepCounts>;
    const cursors = { primero: '2025-01-02T00:00:00.000Z', oscar: '2025-01-02 00:00:00' };
    const summary: RunSummary = {
      ok: true,
      dryRun: false,
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      from: cursors,
      to: cursors,
      steps,
      failed: items.failed ?? [],
      deadLettered: [],
      planned: [],
      ...(items.succeeded ? { succeeded: items.succeeded } : {}),
    };
    return { summary, next: { cursors, retries: items.failed ?? [], deadLetters: [] } };
  };
}
