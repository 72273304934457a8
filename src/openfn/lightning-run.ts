// On OpenFn.org nothing wraps the four steps the way runWorkflow does locally (src/workflow/run.ts).
// So the f1-j1 body opens with startRun and the f2-j2 body ends with finishRun, both around
// src/workflow/lifecycle.ts as runWorkflow is; test/openfn/deploy-bodies.test.ts checks the
// results match.
//
// What outlives a run is kept in the project's Collection (src/openfn/collections-store.ts), never
// in a run's input or output: Lightning feeds a cron run the last output of the step its trigger
// points at (f1-j1 unless cron_cursor_job says otherwise), keeps nothing of a failed run, and
// stores every step output as a dataclip. So a run starts from whatever input it is given (the
// last final state, f1-j1's last output, `{}`, or an admin's custom input `{"since": ...}`).
import { log } from '../log.ts';
import { START_EXAMPLE } from '../time.ts';
import type { CarriedState, RunSummary, SyncSettings } from '../workflow/contract.ts';
import { windowStart } from '../workflow/cursors.ts';
import { closeRun, openRun } from '../workflow/lifecycle.ts';
import { OPENFN_MAX_RUN_SECONDS } from '../workflow/budget.ts';
import { emptyCarried } from '../workflow/lifecycle.ts';
import {
  FIELDS_WITHOUT_LEDGER,
  loadCarried,
  saveCarried,
  withoutLedger,
} from '../workflow/carried-items.ts';
import { clearHandOffs, HAND_OFF_PREFIX, runIdOf } from '../workflow/hand-off.ts';
import { stepStore } from '../workflow/state-store.ts';
import type { AfterUpsertCasesToPrimero, BaseState } from '../workflow/state.ts';

/** What a run on OpenFn.org may be started with; anything else in the input is ignored. */
export interface LightningRunInput {
  /**
   * The carried state in a final state written before state moved to Collections: used once, when
   * the Collection holds none yet, and copied into it.
   */
  carried?: Partial<CarriedState>;
  /** Explicit start (backfill), ISO-8601: the custom input of a run started by hand. */
  since?: string;
  dryRun?: boolean;
  /** Settings given in custom input; kept in the Collection for later runs. */
  settings?: Partial<SyncSettings>;
  configuration?: Record<string, unknown>;
}

/** The final state of a run on OpenFn.org: the summary (ids, counts, reasons) and nothing else. */
export interface LightningRunOutput {
  summary: RunSummary;
}

export const FIRST_RUN_MESSAGE =
  'No cursor yet: on OpenFn.org, start the first run by hand with the custom input ' +
  `{"since": "${START_EXAMPLE}"} (the date the sync should start from); see docs/deploy.md`;

/** Settings an admin gave in custom input, kept for the runs after it. */
export const SETTINGS_KEY = 'settings';

/** Unique enough among this workflow's runs (they never overlap); the sandbox has no crypto. */
const newRunId = () =>
  `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10).padEnd(8, '0')}`;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function startRun(state: LightningRunInput): Promise<BaseState> {
  const store = stepStore(state);
  // The ledger stays in the Collection, read by the steps that need it: not listed here.
  const stored = await loadCarried(store, FIELDS_WITHOUT_LEDGER);
  const legacy = stored === undefined && isObject(state.carried) ? state.carried : undefined;
  if (legacy) await saveCarried(store, { ...emptyCarried(), ...legacy });
  const carried = stored ?? legacy;

  let settings: Partial<SyncSettings> | undefined;
  if (isObject(state.settings)) {
    settings = state.settings;
    await store.set([{ key: SETTINGS_KEY, value: settings }]);
  } else {
    const found = (await store.list(SETTINGS_KEY)).find((item) => item.key === SETTINGS_KEY);
    if (isObject(found?.value)) settings = found.value as Partial<SyncSettings>;
  }

  // Runs of one workflow never overlap: a hand-off still here was left by a failed run.
  await store.removePrefix(HAND_OFF_PREFIX);

  const since = typeof state.since === 'string' ? state.since : undefined;
  const opened = openRun({
    ...(carried ? { carried } : {}),
    ...(since !== undefined ? { since } : {}),
    // OpenFn.org kills a run at WORKER_MAX_RUN_DURATION_SECONDS: stop at a checkpoint before it.
    settings: { maxRunSeconds: OPENFN_MAX_RUN_SECONDS, ...settings },
    dryRun: state.dryRun === true,
    runId: newRunId(),
    startedAt: new Date().toISOString(),
  });
  if (!opened.ok)
    throw new Error(
      opened.reason === 'no-start' && since === undefined ? FIRST_RUN_MESSAGE : opened.error,
    );
  log.info(
    `Run ${opened.input.run.id} starting from ${since !== undefined ? 'the explicit start' : 'the cursors in Collections'}: ` +
      `Primero ${opened.from.primero}, OSCaR ${opened.from.oscar}`,
  );
  // The ledger stays in the Collection: steps read it there (it would repeat in every output).
  const input = opened.input;
  return {
    ...(state.configuration ? { configuration: state.configuration } : {}),
    ...input,
    run: { ...input.run, carried: withoutLedger(input.run.carried) },
  };
}

export async function finishRun(
  state: Partial<AfterUpsertCasesToPrimero>,
): Promise<LightningRunOutput> {
  const { run, report } = state;
  if (!run || !report) throw new Error('The workflow ended without a report');
  const start = windowStart(run.carried, run.since);
  const from = 'error' in start ? run.carried.cursors : start.from;
  const store = stepStore(state);
  // f1-j2 wrote the ledger to the Collection record by record: it is kept there as it stands, and
  // the save below (a state without a ledger) neither reads nor rewrites it.
  const { sent: _sent, ...final } = state;
  const { summary, next } = closeRun({ ...final, run, report }, from);
  if (!run.dryRun) await saveCarried(store, next);
  await clearHandOffs(store, runIdOf(state as BaseState));
  log.info(
    `Run finished${run.dryRun ? ' (dry run)' : ''}: ${summary.failed.length} failed items, ` +
      `${next.retries.length} to retry, ${next.deadLetters.length} dead letters`,
  );
  if (summary.budget) log.info(summary.budget.message);
  return { summary };
}
