// f2-j1 — get OSCaR cases (OSCaR -> Primero, step 1).
// Fetches: every client OSCaR lists since the window start (the cursor, widened back to the window
// of any client still pending from an earlier run, or still awaiting its services: OSCaR has no
// get-by-id).
// Decides: drops excluded organisations, fails unusable clients, groups the rest by global_id.
// Writes: nothing in either system; puts the children in the run's store for f2-j2 and hands on
// their count and the candidate cursor (this fetch's start).
// Resumes: a window the last run's budget cut short (the children it finished are left out).
import { fn } from '@openfn/language-http';
import { log } from '../src/log.ts';
import {
  DEFAULT_EXCLUDED_ORGS,
  oscarWindow,
  selectClients,
  toOscarTime,
} from '../src/sync/oscar-to-primero.ts';
import { childrenAfter } from '../src/sync/oscar-to-primero/resume.ts';
import { progressOf } from '../src/workflow/budget.ts';
import { oscarResume } from '../src/workflow/checkpoint.ts';
import { oscarClientFrom } from '../src/workflow/step-context.ts';
import { putHandOff, runIdOf } from '../src/workflow/hand-off.ts';
import { stepStore } from '../src/workflow/state-store.ts';
import { loadAwaiting } from '../src/workflow/carried-items.ts';
import type { AfterCasesToOscar, AfterGetOscarCases } from '../src/workflow/state.ts';

export default [
  fn(async (state: AfterCasesToOscar): Promise<AfterGetOscarCases> => {
    // Children whose services OSCaR still hides are listed again (kept in the run's store).
    const awaitingServices = await loadAwaiting(stepStore(state));
    const window = oscarWindow({
      ...state.run,
      carried: { ...state.run.carried, awaitingServices },
    });
    // A window the budget cut short is listed again from its own start; the children finished
    // in earlier runs are left out.
    const resume = oscarResume(state.run);
    const since = resume && resume.since < window.since ? resume.since : window.since;
    const oscar = oscarClientFrom(state);
    const fetchStartedAt = new Date();
    const listing = await oscar.listClients({ sinceDate: since });
    const selected = selectClients({
      listing,
      excludedOrgs: state.run.settings.excludedOrgs ?? DEFAULT_EXCLUDED_ORGS,
      since,
      carried: state.run.carried,
      report: state.report,
      now: fetchStartedAt.toISOString(),
    });
    const fromOscar = resume
      ? { ...selected, children: childrenAfter(selected.children, resume.doneThrough) }
      : selected;
    // The window is done only when its last child is: until then the cursor stays at its start,
    // and then moves to when it was first listed, so a change made meanwhile is listed again.
    const oscarNextCursor = resume?.listedAt ?? toOscarTime(fetchStartedAt);
    const progress = progressOf(state.report);
    progress.f2.since = since;
    progress.f2.listedAt = oscarNextCursor;
    if (resume) progress.f2.doneThrough = resume.doneThrough;
    log.info(
      `f2-j1: ${fromOscar.children.length} children to upsert from OSCaR since ${since}` +
        (window.widenedFor > 0
          ? ` (widened from ${window.cursor} for ${window.widenedFor} pending clients)`
          : '') +
        (resume
          ? ` (resumed: ${selected.children.length - fromOscar.children.length} done in earlier runs)`
          : '') +
        `; next OSCaR cursor ${oscarNextCursor}`,
    );
    // The children hold child data: they go through the run's store, the output holds the count.
    const fromOscarHandOff = await putHandOff(
      stepStore(state),
      runIdOf(state),
      'fromOscar.children',
      fromOscar.children,
    );
    return {
      ...state,
      fromOscar: { since: fromOscar.since, children: [] },
      fromOscarHandOff,
      oscarNextCursor,
    };
  }),
];
