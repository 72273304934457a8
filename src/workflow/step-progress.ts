// Each step's own progress for the run's onProgress: waiting until the runtime starts it, then its
// items decided of the items it was handed (known from the step before), then done with its counts.
// The runtime notifies only a step's start and end; the items in between come from outcomes.ts.
import { NOTIFY_JOB_COMPLETE, NOTIFY_JOB_START } from '@openfn/runtime';
import { STEP_IDS } from './contract.ts';
import type { Progress, StepCounts, StepId } from './contract.ts';
import { itemsDone, onItemProgress } from './item-progress.ts';
import type { HandOffRef } from './hand-off.ts';

interface StepOutput {
  report?: { steps?: Partial<Record<StepId, StepCounts>> };
  toOscarHandOff?: Record<string, HandOffRef>;
  fromOscarHandOff?: HandOffRef;
}

/** What the next step is handed, read from a read step's output (counts only, no child data). */
function handedOn(step: StepId, output: StepOutput | undefined): [StepId, number] | undefined {
  if (step === 'f1-j1' && output?.toOscarHandOff) {
    const refs = Object.values(output.toOscarHandOff);
    return ['f1-j2', refs.reduce((sum, ref) => sum + (ref?.count ?? 0), 0)];
  }
  if (step === 'f2-j1' && output?.fromOscarHandOff) return ['f2-j2', output.fromOscarHandOff.count];
  return undefined;
}

export function stepProgress(report: ((progress: Progress) => void) | undefined): {
  notify: (event: string, payload: { jobId?: string; state?: unknown }) => void;
  stop: () => void;
} {
  const totals: Partial<Record<StepId, number>> = {};
  let running: StepId | undefined;
  const emit = (progress: Progress) => {
    try {
      report?.(progress);
    } catch {
      // A view's error never fails the run.
    }
  };
  const stop = report
    ? onItemProgress((step, counts) => {
        if (step !== running) return;
        const done = itemsDone(step, counts);
        emit({ step, phase: 'running', done, total: Math.max(totals[step] ?? 0, done), counts });
      })
    : () => undefined;

  return {
    notify(event, payload) {
      const step = payload.jobId as StepId;
      if (!STEP_IDS.includes(step)) return;
      if (event === NOTIFY_JOB_START) {
        running = step;
        emit({ step, phase: 'running', done: 0, total: totals[step] ?? 0 });
      }
      if (event === NOTIFY_JOB_COMPLETE) {
        running = undefined;
        const output = payload.state as StepOutput | undefined;
        const counts = output?.report?.steps?.[step];
        const done = counts ? itemsDone(step, counts) : (totals[step] ?? 0);
        const next = handedOn(step, output);
        if (next) totals[next[0]] = next[1];
        emit({ step, phase: 'done', done, total: done, ...(counts ? { counts } : {}) });
      }
    },
    stop,
  };
}
