// f2-j2 — upsert cases to Primero (OSCaR -> Primero, step 2).
// Takes: the children f2-j1 put in the run's store (removed from it as they are read).
// Drops: children that map to what it last applied (src/sync/oscar-to-primero/fingerprint.ts).
// Fetches: each child's Primero case (by case_id, else oscar_number) and, for OSCaR decisions on
// referrals MoSVY sent, that case's referrals.
// Decides: create / update / unchanged, owner, service rows, decisions (src/sync/oscar-to-primero).
// Writes: only what differs from Primero's copy; in a dry run, records the writes as planned.
// Within the run's budget: the children it leaves are deferred to the next run, in order.
// Hands on: the children OSCaR lists without their services yet (no link), read again next run.
import { fn } from '@openfn/language-http';
import { log } from '../src/log.ts';
import { upsertChildren } from '../src/sync/oscar-to-primero.ts';
import { deferChildren } from '../src/sync/oscar-to-primero/resume.ts';
import { trackAwaiting } from '../src/sync/oscar-to-primero/awaiting-services.ts';
import { loadAwaiting, saveAwaitingChanges } from '../src/workflow/carried-items.ts';
import { budgetOf } from '../src/workflow/budget.ts';
import { lazyPrimeroClient } from '../src/workflow/step-context.ts';
import { runIdOf, takeHandOff } from '../src/workflow/hand-off.ts';
import { stepStore } from '../src/workflow/state-store.ts';
import type { PackedChild } from '../src/sync/oscar-to-primero/children.ts';
import type { AfterGetOscarCases, AfterUpsertCasesToPrimero } from '../src/workflow/state.ts';

export default [
  fn(async (state: AfterGetOscarCases): Promise<AfterUpsertCasesToPrimero> => {
    const { run, report } = state;
    const children = await takeHandOff<PackedChild>(
      stepStore(state),
      runIdOf(state),
      state.fromOscarHandOff,
    );
    const fromOscar = { since: state.fromOscar.since, children };
    const startedAt = new Date();
    const budget = budgetOf(run, report);
    const store = stepStore(state);
    const awaiting = trackAwaiting(await loadAwaiting(store));
    const done = await upsertChildren(fromOscar, {
      primero: lazyPrimeroClient(state)(),
      syncUser: String(state.configuration?.username ?? ''),
      dryRun: run.dryRun,
      concurrency: run.settings.concurrency,
      report,
      carried: run.carried,
      now: startedAt.toISOString(),
      today: startedAt,
      mayStart: () => budget.take('f2'),
      awaiting,
      // What f2 last applied per child: an explicit start (a backfill) applies every child again.
      applied: { store: stepStore(state), reapply: run.since !== undefined },
    });
    // Kept in the run's store (one item per child), never in the step output.
    const watched = awaiting.finish({
      report,
      carried: run.carried,
      now: startedAt.toISOString(),
      maxAttempts: run.settings.maxAttempts,
    });
    if (!run.dryRun) await saveAwaitingChanges(store, watched);
    deferChildren({ fromOscar, report }, done);
    const counts = report.steps['f2-j2'];
    log.info(
      `f2-j2: ${counts.written} cases written, ${counts.unchanged} unchanged, ${counts.failed} failed` +
        (run.dryRun
          ? `, ${report.planned.filter((p) => p.step === 'f2-j2').length} writes planned (dry run)`
          : ''),
    );
    // The children's data is not needed after this step: keep it out of the final state.
    return { ...state, fromOscar: { since: fromOscar.since, children: [] } };
  }),
];
