// The window of Primero cases f1-j1 works on: which carried items need their case fetched again,
// which carried items are settled, and the candidate cursor.
import type { PrimeroCase } from '../../model/primero.ts';
import type { FailedItem } from '../../workflow/contract.ts';
import type { ToOscarBatch } from '../primero-to-oscar.ts';

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
