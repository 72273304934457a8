// On OpenFn.org nothing wraps the four steps the way runWorkflow does locally (src/workflow/run.ts):
// Lightning starts each cron run with the final state of the last successful run and keeps
// whatever the last step returns. So the f1-j1 body opens with startRun (turn that state, or an
// admin's custom input, into the steps' input) and the f2-j2 body ends with finishRun (hand on
// the next cursors, retries and the summary, and nothing else: no child data stays in Lightning).
// Both open and close the run with src/workflow/lifecycle.ts, as runWorkflow does;
// test/openfn/deploy-bodies.test.ts checks the results match.
import { log } from '../log.ts';
import type { CarriedState, RunSummary, SyncSettings } from '../workflow/contract.ts';
import { windowStart } from '../workflow/cursors.ts';
import { closeRun, openRun } from '../workflow/lifecycle.ts';
import { OPENFN_MAX_RUN_SECONDS } from '../workflow/budget.ts';
import type { AfterUpsertCasesToPrimero, BaseState } from '../workflow/state.ts';

/** What a run on OpenFn.org starts from: the last successful run's final state, or custom input. */
export interface LightningRunInput {
  carried?: Partial<CarriedState>;
  /** Explicit start (backfill), ISO-8601: the custom input of a run started by hand. */
  since?: string;
  dryRun?: boolean;
  settings?: Partial<SyncSettings>;
  configuration?: Record<string, unknown>;
}

/** The final state of a run on OpenFn.org, which is the next cron run's input. */
export interface LightningRunOutput {
  carried: CarriedState;
  summary: RunSummary;
  settings?: Partial<SyncSettings>;
}

export const FIRST_RUN_MESSAGE =
  'No cursor yet: on OpenFn.org, start the first run by hand with the custom input ' +
  '{"since": "2025-01-01T00:00:00Z"} (the date the sync should start from); see docs/deploy.md';

export function startRun(
  state: LightningRunInput,
): BaseState & { settings?: Partial<SyncSettings> } {
  const opened = openRun({
    ...(state.carried ? { carried: state.carried } : {}),
    ...(state.since !== undefined ? { since: state.since } : {}),
    // OpenFn.org kills a run at WORKER_MAX_RUN_DURATION_SECONDS: stop at a checkpoint before it.
    settings: { maxRunSeconds: OPENFN_MAX_RUN_SECONDS, ...state.settings },
    dryRun: state.dryRun === true,
    startedAt: new Date().toISOString(),
  });
  if (!opened.ok)
    throw new Error(
      opened.reason === 'no-start' && state.since === undefined ? FIRST_RUN_MESSAGE : opened.error,
    );
  log.info(
    `Run starting from ${state.since !== undefined ? 'the explicit start' : 'the last successful run'}: ` +
      `Primero ${opened.from.primero}, OSCaR ${opened.from.oscar}`,
  );
  return {
    ...(state.configuration ? { configuration: state.configuration } : {}),
    // Settings an admin gave in custom input travel on to later runs.
    ...(state.settings ? { settings: state.settings } : {}),
    ...opened.input,
  };
}

export function finishRun(
  state: Partial<AfterUpsertCasesToPrimero> & { settings?: Partial<SyncSettings> },
): LightningRunOutput {
  const { run, report } = state;
  if (!run || !report) throw new Error('The workflow ended without a report');
  const start = windowStart(run.carried, run.since);
  const from = 'error' in start ? run.carried.cursors : start.from;
  const { summary, next } = closeRun({ ...state, run, report }, from);
  log.info(
    `Run finished${run.dryRun ? ' (dry run)' : ''}: ${summary.failed.length} failed items, ` +
      `${next.retries.length} to retry, ${next.deadLetters.length} dead letters`,
  );
  if (summary.budget) log.info(summary.budget.message);
  return { carried: next, summary, ...(state.settings ? { settings: state.settings } : {}) };
}
