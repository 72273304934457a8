// f1-j1's decision: what the window asks OSCaR for (selection.ts, against the sent ledger), which
// carried items are settled because their case no longer asks for them (window.ts), which ledger
// records can go (closed referrals), and the candidate Primero cursor. No request is made here.
import type { ToOscarBatch } from '../../model/to-oscar.ts';
import { primeroWindow } from '../../workflow/checkpoint.ts';
import { primeroCursorCandidate } from '../../workflow/primero-reread.ts';
import { recordUnchanged } from '../../workflow/outcomes.ts';
import type { AfterGetPrimeroCases } from '../../workflow/state.ts';
import type { WindowRead } from './read-window.ts';
import { closedReferralIds, selectForOscar, selectionRulesOf } from './selection.ts';
import { sentLedgerOf } from './sent-ledger.ts';
import { settleCandidates } from './settled-cases.ts';
import type { SettleCandidate } from './settled-cases.ts';
import { resolvedRetries } from './window.ts';

/** f1-j1's state once it has decided; the hand-off is not made yet. */
export type WindowSelected = Omit<AfterGetPrimeroCases, 'toOscarHandOff'> &
  Pick<WindowRead, 'window' | 'ledger'> & {
    toOscar: ToOscarBatch;
    /** Cases f1-j2 settles if their referrals land (ids and times only). */
    settling: SettleCandidate[];
  };

export function selectWindow(state: WindowRead): WindowSelected {
  const { window, run, report } = state;
  const toOscar = selectForOscar(
    [...window.cases, ...window.refetched],
    new Map(Object.entries(window.referrals)),
    selectionRulesOf(primeroWindow(run).selectFrom, run.carried, sentLedgerOf(state.ledger)),
  );
  // A carried item whose case no longer asks for it (sent, revoked, deleted) is settled.
  for (const key of resolvedRetries(run.carried.retries, window, toOscar))
    recordUnchanged(report, 'f1-j2', key);
  return {
    ...state,
    toOscar,
    // From the whole selection, before the global-id check fails any of it.
    settling: settleCandidates(window.settling.read, window.settling.held, toOscar.referrals),
    closedReferralIds: closedReferralIds(window.referrals),
    ...primeroCursorOf(window),
  };
}

/** The candidate Primero cursor: when the listing began on Primero's clock (primero-reread.ts). */
function primeroCursorOf(window: WindowRead['window']): { primeroNextCursor?: string } {
  const cursor = primeroCursorCandidate(window.latest, window.listingDate);
  return cursor ? { primeroNextCursor: cursor } : {};
}
