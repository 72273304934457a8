// Resuming an OSCaR window a budget cut short: OSCaR lists the whole window again (its listing has
// no pages), and the children f2-j2 finished in an earlier run, which come first in global_id order,
// are left out. A child changed since the window was first listed is listed again by the next
// window, as the cursor then moves only to when this window was first listed.
import { log } from '../../log.ts';
import { progressOf } from '../../workflow/budget.ts';
import type { Report } from '../../workflow/outcomes.ts';
import type { PackedChild } from './children.ts';
import { unpackChild } from './children.ts';

/** The children (in global_id order) after `doneThrough`; decodes only a few to find the place. */
export function childrenAfter(
  children: readonly PackedChild[],
  doneThrough: string,
): PackedChild[] {
  let low = 0;
  let high = children.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (unpackChild(children[middle]!).globalId <= doneThrough) low = middle + 1;
    else high = middle;
  }
  return children.slice(low);
}

/**
 * Records how far f2-j2 got: the first `started` children are done (written, unchanged or failed),
 * the rest are deferred to the next run, which resumes after `doneThrough`, the global id of the
 * last one done (upsertChildren lets the children it took up go, so it says which that was).
 */
export function deferChildren(
  state: { fromOscar: { children: readonly PackedChild[] }; report: Report },
  done: { started: number; doneThrough?: string },
): void {
  const { children } = state.fromOscar;
  const { started } = done;
  const progress = progressOf(state.report);
  progress.f2.total += children.length;
  progress.f2.deferred += children.length - started;
  if (done.doneThrough !== undefined) progress.f2.doneThrough = done.doneThrough;
  if (started < children.length)
    log.info(
      `f2-j2: budget spent after ${started} of ${children.length} children; ` +
        `${children.length - started} deferred to the next run`,
    );
}
