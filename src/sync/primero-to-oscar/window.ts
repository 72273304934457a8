// The window of Primero cases f1-j1 works on: which carried items need their case fetched again,
// which are gone, the order the window is worked in, which carried items are settled, and the
// candidate cursor.
import type { UnreadablePrimeroCase } from '../../clients/primero.ts';
import type { PrimeroCase } from '../../model/primero.ts';
import type { ToOscarBatch } from '../../model/to-oscar.ts';
import type { FailedItem } from '../../workflow/contract.ts';
import { compareCaseKeys } from '../../workflow/checkpoint.ts';
import type { CaseKey } from '../../workflow/checkpoint.ts';

const isF1Item = (item: FailedItem) =>
  (item.step === 'f1-j2' &&
    (item.kind === 'referral' || item.kind === 'decision' || item.kind === 'link')) ||
  // A case Primero answered in an unexpected shape: settled once it is read fine.
  (item.step === 'f1-j1' && item.kind === 'case');

/**
 * Primero ids of cases with an f1 item carried for retry that the window did not bring: they are
 * fetched on their own, so a failed item is really retried even when its case did not change.
 */
export function caseIdsToRefetch(
  retries: readonly FailedItem[],
  windowCases: readonly PrimeroCase[],
): string[] {
  const inWindow = new Set(windowCases.map((record) => record.id));
  const ids = retries
    .filter(isF1Item)
    .map((item) => item.ids.primero_id)
    .filter((id): id is string => typeof id === 'string' && id !== '' && !inWindow.has(id));
  return [...new Set(ids)];
}

/**
 * Cases fetched again for a retry that Primero no longer has (deleted, merged, out of scope):
 * neither found readable nor of an unexpected shape. Their carried items are settled.
 */
export function goneCases(
  refetch: readonly string[],
  found: { cases: readonly PrimeroCase[]; unreadable: readonly UnreadablePrimeroCase[] },
): string[] {
  const seen = new Set([
    ...found.cases.map((record) => record.id),
    ...found.unreadable.flatMap((bad) => (bad.id === undefined ? [] : [bad.id])),
  ]);
  return refetch.filter((id) => !seen.has(id));
}

/** A case's place in the order f1 works through a window (src/workflow/checkpoint.ts). */
export const caseKeyOf = (record: PrimeroCase): CaseKey => ({
  at: record.last_updated_at,
  id: record.id,
});

/**
 * The window's cases in the order f1 finishes them: (last_updated_at, id), from where the last run
 * stopped at its budget, so the cases a budget leaves are always the tail, deferred whole.
 */
export function windowOrder(cases: readonly PrimeroCase[], resumeAt?: CaseKey): PrimeroCase[] {
  return cases
    .filter((record) => !resumeAt || compareCaseKeys(caseKeyOf(record), resumeAt) >= 0)
    .sort((a, b) => compareCaseKeys(caseKeyOf(a), caseKeyOf(b)));
}

/**
 * Keys of carried f1 items whose case was looked at this run (fetched, or found deleted) and that
 * the selection no longer produces: the referral was sent, revoked or decided, the link or
 * decision is gone. They leave the retry list as settled.
 */
export function resolvedRetries(
  retries: readonly FailedItem[],
  window: {
    cases: readonly PrimeroCase[];
    refetched: readonly PrimeroCase[];
    gone: readonly string[];
  },
  selected: ToOscarBatch,
): string[] {
  const lookedAt = new Set(
    [...window.cases, ...window.refetched].map((record) => record.id).concat(window.gone),
  );
  const stillWanted = new Set(
    [...selected.referrals, ...selected.decisions, ...selected.links].map((item) => item.key),
  );
  return retries
    .filter(
      (item) =>
        isF1Item(item) && lookedAt.has(item.ids.primero_id ?? '') && !stillWanted.has(item.key),
    )
    .map((item) => item.key);
}

/** The candidate cursor: the greatest `last_updated_at` (Primero's clock) among the window's cases. */
export function latestUpdate(cases: readonly PrimeroCase[], previous?: string): string | undefined {
  let latest: { at: number; text: string } | undefined =
    previous === undefined ? undefined : { at: Date.parse(previous), text: previous };
  for (const record of cases) {
    const at = Date.parse(record.last_updated_at);
    if (Number.isNaN(at)) continue;
    if (!latest || at > latest.at) latest = { at, text: new Date(at).toISOString() };
  }
  return latest?.text;
}
