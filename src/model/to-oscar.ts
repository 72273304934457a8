// What f1 sends OSCaR: the items f1-j1 selects from a window of Primero cases and f1-j2 writes.
// Declared here, below both the sync and the workflow, because the step state (src/workflow/state.ts)
// names the batch and the sync's rules build it: neither folder has to import the other for it.
import type { PrimeroCase, PrimeroReferral, ServiceRow } from './primero.ts';
import type { OscarLink } from './oscar.ts';
import type { ServiceRowStatus } from '../mapping/index.ts';

/** A Primero referral of one service row to an OSCaR NGO, to become one upsert. */
export interface ReferralToOscar {
  key: string;
  ids: { case_id: string; primero_id: string; service_id: string; referral_id: string };
  /** Ledger key: the Primero referral itself, so a second referral of the same row is new. */
  sentKey: string;
  case: PrimeroCase;
  row: ServiceRow;
  referral: PrimeroReferral;
  /**
   * An earlier upsert of this referral got no confirmation (it may have landed) and no operator
   * has asked to send it again: it is reported as a dead letter, never re-sent automatically.
   */
  unconfirmed?: true;
}

/** A MoSVY decision (accepted/rejected) on a referral that came from OSCaR. */
export interface DecisionForOscar {
  key: string;
  ids: {
    case_id: string;
    primero_id: string;
    service_id: string;
    oscar_referral_id: string;
    global_id: string;
  };
  sentKey: string;
  rowStatus: ServiceRowStatus;
}

/** OSCaR learns the Primero case id of a child it already knows. */
export interface LinkForOscar {
  key: string;
  ids: { case_id: string; primero_id: string; global_id: string };
  sentKey: string;
  link: OscarLink;
}

/** What f1-j1 hands to f1-j2. */
export interface ToOscarBatch {
  referrals: ReferralToOscar[];
  decisions: DecisionForOscar[];
  links: LinkForOscar[];
}

export const emptyToOscarBatch = (): ToOscarBatch => ({ referrals: [], decisions: [], links: [] });
