// f2-j1's one operation: list OSCaR's clients of the window (widened back for clients still
// pending or still awaiting their services, or resumed where a budget cut it short), select them (children.ts), and put the children
// in the run's store for f2-j2; the step output holds their count and the candidate cursor.
import { log } from '../../log.ts';
import { DEFAULT_EXCLUDED_ORGS, selectClients } from './children.ts';
import { oscarWindow, toOscarTime } from './window.ts';
import { childrenAfter } from './resume.ts';
import { progressOf } from '../../workflow/budget.ts';
import { oscarResume } from '../../workflow/checkpoint.ts';
import type { OscarClient } from '../../clients/oscar.ts';
import { putHandOff, runIdOf } from '../../workflow/hand-off.ts';
import { stepStore } from '../../workflow/state-store.ts';
import { loadAwaiting } from '../../workflow/carried-items.ts';
import type { AfterCasesToOscar, AfterGetOscarCases } from '../../workflow/state.ts';

export async function listWindow(
  state: AfterCasesToOscar,
  oscar: () => OscarClient,
): Promise<AfterGetOscarCases> {
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
  const fetchStartedAt = new Date();
  const listing = await oscar().listClientsPacked({ sinceDate: since });
  const selected = selectClients({
    listing,
    excludedOrgs: state.run.settings.excludedOrgs ?? DEFAULT_EXCLUDED_ORGS,
    since,
    carried: state.run.carried,
    report: state.report,
    now: fetchStartedAt.toISOString(),
  });
  // The parsed listing is let go before the children are stored: from here on only their packed
  // text is needed, and the whole window parsed is the largest thing f2-j1 holds (a local that
  // lives across the awaits below could keep it until the step returns).
  listing.clients.length = 0;
  listing.invalid.length = 0;
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
}
