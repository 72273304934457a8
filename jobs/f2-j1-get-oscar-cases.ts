// f2-j1 — get OSCaR cases (OSCaR -> Primero, step 1).
// Fetches: every client OSCaR lists since the window start (the cursor, widened back to the window
// of any client still pending from an earlier run, or still awaiting its services: OSCaR has no
// get-by-id).
// Decides: drops excluded organisations, fails unusable clients, groups the rest by global_id.
// Writes: nothing in either system; puts the children in the run's store for f2-j2 and hands on
// their count and the candidate cursor (this fetch's start).
// Resumes: a window the last run's budget cut short (the children it finished are left out).
import { fn } from '@openfn/language-http';
import { listWindow } from '../src/sync/oscar-to-primero/list-window.ts';
import { lazyOscarClient } from '../src/workflow/step-context.ts';
import type { AfterCasesToOscar } from '../src/workflow/state.ts';

export default [fn((state: AfterCasesToOscar) => listWindow(state, lazyOscarClient(state)))];
