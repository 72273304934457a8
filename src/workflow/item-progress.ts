// Per-item progress inside a step. The steps record each item's outcome in their report
// (outcomes.ts); the run that started them (run.ts) listens here to report a step's items done as
// they happen, which the runtime's own notifications (one at the start and end of a step) cannot.
// The listeners live on globalThis, not in this module: a step compiled into its own bundle gets
// its own copy of this module, and must still reach the run's listener. Runs are one at a time per
// process (the runner's lock), so one listener set is enough; with none, recording costs nothing.
import type { StepCounts, StepId } from './contract.ts';

export type ItemProgressListener = (step: StepId, counts: StepCounts) => void;

const KEY = Symbol.for('primero-oscar-interop.item-progress');

function listeners(): Set<ItemProgressListener> {
  const holder = globalThis as { [KEY]?: Set<ItemProgressListener> };
  return (holder[KEY] ??= new Set());
}

/** Listens until the returned function is called. */
export function onItemProgress(listener: ItemProgressListener): () => void {
  listeners().add(listener);
  return () => {
    listeners().delete(listener);
  };
}

/** Called by outcomes.ts after each recorded item; a listener's error never fails the step. */
export function itemRecorded(step: StepId, counts: StepCounts): void {
  for (const listener of listeners()) {
    try {
      listener(step, { ...counts });
    } catch {
      // Progress is a view; the sync goes on.
    }
  }
}

/** Items of a step decided so far: what a read step read, what a write step wrote, left or failed. */
export function itemsDone(step: StepId, counts: StepCounts): number {
  if (step === 'f1-j1' || step === 'f2-j1') return counts.fetched;
  return counts.written + counts.unchanged + counts.failed + counts.skipped;
}
