// f1-j1 — get Primero cases (Primero -> OSCaR, step 1).
// Fetches: every case updated in the window (one paged listing), the cases of items carried for
// retry, the referrals of cases that refer a service to OSCaR (not of a case f1 already settled
// at the last_updated_at listed: src/sync/primero-to-oscar/settled-cases.ts), and, for each child
// whose OSCaR global id is about to be sent, every Primero case holding that id.
// Decides: which referrals, decisions and links go to OSCaR, which carried items are settled, and
// which global ids two cases hold (those items fail) — src/sync/primero-to-oscar/.
// Writes: nothing in either system; puts `toOscar` (child data) in the run's store for f1-j2 and
// hands on only its counts and the candidate cursor (src/workflow/hand-off.ts).
// Within the run's budget: cases are read in (last_updated_at, id) order from the checkpoint, and
// the ones the budget leaves are deferred whole to the next run (src/workflow/checkpoint.ts).
// One case Primero refuses or answers in an unexpected shape fails alone; the run goes on.
import { fn } from '@openfn/language-http';
import { readWindow } from '../src/sync/primero-to-oscar/read-window.ts';
import type { WindowRead } from '../src/sync/primero-to-oscar/read-window.ts';
import { selectWindow } from '../src/sync/primero-to-oscar/select-window.ts';
import type { WindowSelected } from '../src/sync/primero-to-oscar/select-window.ts';
import { checkGlobalIds } from '../src/sync/primero-to-oscar/global-id-check.ts';
import { handOffToOscar } from '../src/sync/primero-to-oscar/to-oscar-hand-off.ts';
import { lazyPrimeroClient } from '../src/workflow/step-context.ts';
import type { BaseState } from '../src/workflow/state.ts';

export default [
  fn((state: BaseState) => readWindow(state, lazyPrimeroClient(state))),
  fn((state: WindowRead) => selectWindow(state)),
  // A global id two Primero cases hold cannot say which child OSCaR means: the original jobs
  // linked (and later updated) whichever case came first. Such items fail until one is merged.
  fn((state: WindowSelected) => checkGlobalIds(state, lazyPrimeroClient(state))),
  fn(handOffToOscar),
];
