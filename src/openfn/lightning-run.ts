// On OpenFn.org nothing wraps the four steps the way runWorkflow does locally (src/workflow/run.ts):
// Lightning starts each cron run with the final state of the last successful run and keeps
// whatever the last step returns. So the f1-j1 body opens with startRun (turn that state, or an
// admin's custom input, into the steps' input) and the f2-j2 body ends with finishRun (hand on
// the next cursors, retries and the summary, and nothing else: no child data stays in Lightning).
// Both follow runWorkflow's rules; test/openfn/deploy-bodies.test.ts checks the results match.
import { log } from '../log.ts';
import type { CarriedState, RunSummary, SyncSettings } from '../workflow/contract.ts';
import { nextCursors, windowStart } from '../workflow/cursors.ts';
import { emptyReport, nextRetryState, type Report } from '../workflow/outcomes.ts';
import type { AfterUpsertCasesToPrimero, BaseState } from '../workflow/state.ts';
import { buildSummary } from '../workflow/summary.ts';

/**
 * runWorkflow's defaults. A copy, because src/workflow/run.ts imports @openfn/runtime, which a body
 * cannot carry; a test keeps the two equal.
 */
export const LIGHTNING_DEFAULT_SETTINGS: SyncSettings = {
  excludedOrgs: ['demo'],
  maxAttempts: 5,
  concurrency: 4,
};

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
  const carried: CarriedState = { cursors: {}, retries: [], deadLetters: [], ...state.carried };
  const start = windowStart(carried, state.since);
  if ('error' in start) {
    throw new Error(state.since === undefined ? FIRST_RUN_MESSAGE : start.error);
  }
  const settings = { ...LIGHTNING_DEFAULT_SETTINGS, ...state.settings };
  log.info(
    `Run starting from ${state.since !== undefined ? 'the explicit start' : 'the last successful run'}: ` +
      `Primero ${start.from.primero}, OSCaR ${start.from.oscar}`,
  );
  return {
    ...(state.configuration ? { configuration: state.configuration } : {}),
    // Settings an admin gave in custom input travel on to later runs.
    ...(state.settings ? { settings: state.settings } : {}),
    run: {
      startedAt: new Date().toISOString(),
      dryRun: state.dryRun === true,
      settings,
      carried,
      ...(state.since !== undefined ? { since: start.from.primero } : {}),
    },
    report: emptyReport(),
  };
}

export function finishRun(
  state: Partial<AfterUpsertCasesToPrimero> & { settings?: Partial<SyncSettings> },
): LightningRunOutput {
  const { run, report } = state;
  if (!run || !report) throw new Error('The workflow ended without a report');
  const { carried } = run;
  const start = windowStart(carried, run.since);
  const from = 'error' in start ? carried.cursors : start.from;
  const cursors = nextCursors(carried, {
    primero: state.primeroNextCursor ?? from.primero,
    ...(state.oscarNextCursor ? { oscar: state.oscarNextCursor } : {}),
  });
  const retry = nextRetryState(carried, report, run.settings);
  const next: CarriedState = {
    cursors,
    retries: retry.retries,
    deadLetters: settledDeadLetters(retry.deadLetters, report),
    sent: state.sent ?? carried.sent ?? [],
  };
  const summary = buildSummary({
    ok: true,
    dryRun: run.dryRun,
    startedAt: run.startedAt,
    from,
    to: cursors,
    report,
    deadLettered: retry.deadLettered,
  });
  log.info(
    `Run finished${run.dryRun ? ' (dry run)' : ''}: ${summary.failed.length} failed items, ` +
      `${next.retries.length} to retry, ${next.deadLetters.length} dead letters`,
  );
  return {
    carried: run.dryRun ? carried : next,
    summary,
    ...(state.settings ? { settings: state.settings } : {}),
  };
}

/** As runWorkflow: a dead letter attempted again this run without failing is settled. */
function settledDeadLetters(deadLetters: CarriedState['deadLetters'], report: Report) {
  const failed = new Set(report.failed.map((item) => item.key));
  const attempted = new Set(report.attempted);
  return deadLetters.filter((item) => !attempted.has(item.key) || failed.has(item.key));
}
