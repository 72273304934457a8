// Referrals f1-j2 had no budget left for: not attempts (no retry, no dead letter), but work the
// next run must find again. The checkpoint resumes the window at the earliest of their cases; a
// case fetched again for a retry lies before the window and stays in the retry list instead.
import { log } from '../../log.ts';
import { progressOf } from '../../workflow/budget.ts';
import { compareCaseKeys, primeroWindow } from '../../workflow/checkpoint.ts';
import type { AfterGetPrimeroCases } from '../../workflow/state.ts';
import type { ReferralToOscar } from '../../model/to-oscar.ts';

export function deferReferrals(
  state: AfterGetPrimeroCases,
  deferred: readonly ReferralToOscar[],
): void {
  if (deferred.length === 0) return;
  const progress = progressOf(state.report);
  const listFrom = Date.parse(primeroWindow(state.run).listFrom);
  const cases = new Map(deferred.map((item) => [item.case.id, item.case]));
  progress.f1.deferred += cases.size;
  for (const record of cases.values()) {
    if (!(Date.parse(record.last_updated_at) >= listFrom)) continue;
    const key = { at: record.last_updated_at, id: record.id };
    if (!progress.f1.resume || compareCaseKeys(key, progress.f1.resume) < 0)
      progress.f1.resume = key;
  }
  log.info(
    `f1-j2: budget spent; ${deferred.length} referrals of ${cases.size} cases deferred to the next run`,
  );
}
