// A Primero case f1 cannot read fails alone, with its ids and a reason, and is fetched again while
// it is retried (docs/sync-rules.md, "Item outcomes, retries, dead letters"); the run goes on. Only
// an outage of Primero itself (sign-in, the listing, repeated 5xx, no answer) fails the run.
import type { UnreadablePrimeroCase } from '../../clients/primero.ts';
import { ApiError } from '../../http/errors.ts';
import type { PrimeroCase } from '../../model/primero.ts';
import type { FailureInput } from '../../workflow/outcomes.ts';
import { isItemError, reasonOf } from '../../workflow/step-context.ts';

/** The retry key of a case f1-j1 could not read: its referrals, or the case itself. */
export const caseKey = (primeroId: string) => `f1-j1:case:${primeroId}`;

/** A Primero case of an unexpected shape: it fails alone and is fetched again while retried. */
export function unreadableCaseFailure(bad: UnreadablePrimeroCase): FailureInput {
  const id = bad.id ?? 'without-id';
  return {
    key: caseKey(id),
    step: 'f1-j1',
    kind: 'case',
    ids: bad.id ? { primero_id: bad.id } : {},
    reason: `${bad.reason}: correct the case in Primero; it is read again next run`,
  };
}

/**
 * Whether an error reading one case's referrals is about that case alone: any 4xx but sign-in
 * (401), timeout (408) and throttling (429) — a 404 when the case was deleted since the listing, a
 * 403 when it was reassigned out of the API user's scope (Primero's ReferralsController#index
 * authorizes `:read` on the case first: app/controllers/api/v2/referrals_controller.rb l.8) —, a
 * referral of an unexpected shape, and any error that names the one record it is about
 * (`recordId`, as the clients' refusals of an id that cannot be a path segment do).
 */
export function isCaseReadError(error: unknown): error is Error {
  // A referral of an unexpected shape names itself (PrimeroRecordError.recordId): isItemError.
  // An answer that is not a list at all is Primero's fault, not the case's: the step fails.
  if (isItemError(error)) return true;
  if (error instanceof ApiError && error.status !== undefined)
    return error.status >= 400 && error.status < 500 && ![401, 408, 429].includes(error.status);
  const recordId = (error as { recordId?: unknown } | null)?.recordId;
  return error instanceof Error && typeof recordId === 'string' && recordId !== '';
}

/** A case whose referrals Primero would not give: it fails alone and is read again next run. */
export function referralReadFailure(record: PrimeroCase, error: Error): FailureInput {
  return {
    key: caseKey(record.id),
    step: 'f1-j1',
    kind: 'case',
    ids: { primero_id: record.id, case_id: record.case_id },
    reason:
      `the referrals of case ${record.case_id} could not be read: ${reasonOf(error)}; ` +
      'it is read again next run, and settled once it is readable or gone',
  };
}
