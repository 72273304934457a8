// f1-j2 — cases to OSCaR (Primero -> OSCaR, step 2).
// Takes: what f1-j1 selected, from the run's store, and the sent ledger.
// Fetches: only for children OSCaR already knows, which NGOs hold them (one OSCaR listing, when
// the first such item is sent).
// Decides: what OSCaR already received (the sent ledger: unchanged), and whether a known child's
// referral or decision can reach the NGO meant (src/sync/primero-to-oscar/known-child.ts).
// Writes: one upsert per referral (one service each), the decisions in one update_statuses, the
// links in one update_links. Bad items are recorded and the rest go on; a dry run only records
// planned writes.
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
