// f1-j2 — cases to OSCaR (Primero -> OSCaR, step 2).
// Reads, only for children OSCaR already knows, which NGOs hold them (one OSCaR listing, when
// the first such item is sent).
// Writes what f1-j1 selected: one upsert per referral (one service each), the decisions in one
// update_statuses, the links in one update_links. Items OSCaR already received (sent ledger) are
// unchanged; bad items are recorded and the rest go on; a dry run only records planned writes.
import { fn } from '@openfn/language-http';
import {
  deliverDecisions,
  deliverLinks,
  deliverReferrals,
  finishDelivery,
  startDelivery,
} from '../src/sync/primero-to-oscar/deliver.ts';
import { lazyOscarClient } from '../src/workflow/step-context.ts';
import type { AfterCasesToOscar } from '../src/workflow/state.ts';

export default [
  fn(startDelivery),
  fn((state: AfterCasesToOscar) => deliverReferrals(state, lazyOscarClient(state))),
  fn((state: AfterCasesToOscar) => deliverDecisions(state, lazyOscarClient(state))),
  fn((state: AfterCasesToOscar) => deliverLinks(state, lazyOscarClient(state))),
  fn(finishDelivery),
];
