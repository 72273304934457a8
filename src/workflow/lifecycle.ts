// How a run opens and closes, whoever runs it: runWorkflow locally (src/workflow/run.ts) and the
// first and last operations of the OpenFn.org bodies (src/openfn/lightning-run.ts). Pure: no
// runtime, no I/O, so it can be bundled into a job body.
import type { AwaitingServices, CarriedState, RunSummary, SyncSettings } from './contract.ts';
import { nextCursors, windowStart } from './cursors.ts';
import { emptyReport, nextRetryState } from './outcomes.ts';
import type { Report } from './outcomes.ts';
import type { AfterUpsertCasesToPrimero, BaseState } from './state.ts';
import { buildSummary } from './summary.ts';
import { budgetProblem } from './budget.ts';
import { budgetStop, withCheckpoint } from './checkpoint.ts';

export const DEFAULT_SETTINGS: SyncSettings = {
  excludedOrgs: ['demo'],
  maxAttempts: 5,
  concurrency: 4,
  decisionOverdueDays: 14,
};

/**
 * The most requests in flight per system a run may use. Primero and OSCaR are Rails applications
 * whose servers answer a few requests at a time: more in flight would only wait in their queues
 * while this side holds more in memory.
 */
export const MAX_CONCURRENCY = 16;

/** Why a concurrency setting cannot be used, or undefined when it can. */
export function concurrencyProblem(value: number): string | undefined {
  return Number.isInteger(value) && value >= 1 && value <= MAX_CONCURRENCY
    ? undefined
    : `concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got ${value}`;
}

export const emptyCarried = (): CarriedState => ({ cursors: {}, retries: [], deadLetters: [] });

export interface OpenRunInput {
  carried?: Partial<CarriedState>;
  since?: string;
  dryRun?: boolean;
  settings?: Partial<SyncSettings>;
  runId?: string;
  startedAt: string;
}

export type OpenedRun =
  | { ok: true; input: BaseState; from: CarriedState['cursors'] }
  | {
      ok: false;
      /** No cursor and no explicit start, or settings the run cannot use. */
      reason: 'no-start' | 'settings';
      error: string;
      carried: CarriedState;
      summary: RunSummary;
    };

/** The first step's input, or why the run cannot start. */
export function openRun(options: OpenRunInput): OpenedRun {
  const dryRun = options.dryRun ?? false;
  const carried: CarriedState = { ...emptyCarried(), ...options.carried };
  const settings = { ...DEFAULT_SETTINGS, ...options.settings };
  const refuse = (reason: 'no-start' | 'settings', error: string): OpenedRun => ({
    ok: false,
    reason,
    error,
    carried,
    summary: {
      ...buildSummary({
        ok: false,
        dryRun,
        startedAt: options.startedAt,
        from: carried.cursors,
        to: carried.cursors,
        error,
      }),
      // Nothing was attempted: the runner stores the run as refused, not as failed.
      refused: true,
    },
  });
  const problem = concurrencyProblem(settings.concurrency) ?? budgetProblem(settings);
  if (problem) return refuse('settings', `The run cannot start: ${problem}`);
  const start = windowStart(carried, options.since);
  if ('error' in start) return refuse('no-start', start.error);
  return {
    ok: true,
    from: start.from,
    input: {
      run: {
        ...(options.runId ? { id: options.runId } : {}),
        startedAt: options.startedAt,
        dryRun,
        settings,
        carried,
        ...(options.since !== undefined ? { since: start.from.primero } : {}),
      },
      report: emptyReport(),
    },
  };
}

/**
 * Dead letters whose item was attempted again this run without failing (e.g. a case worker fixed
 * the data and the case came back in the window) are settled, like retries.
 */
function settledDeadLetters(deadLetters: CarriedState['deadLetters'], report: Report) {
  const failed = new Set(report.failed.map((item) => item.key));
  const attempted = new Set(report.attempted);
  return deadLetters.filter((item) => !attempted.has(item.key) || failed.has(item.key));
}

/**
 * A successful run's summary and the state to carry on: cursors moved (never backwards), retries
 * and dead letters settled, the sent ledger kept. A dry run wrote nothing and hands on what it got.
 */
export function closeRun(
  final: Pick<BaseState, 'run' | 'report'> &
    Partial<Pick<AfterUpsertCasesToPrimero, 'primeroNextCursor' | 'oscarNextCursor' | 'sent'>> & {
      /** As f2-j2 left them in the run's store. */
      awaitingServices?: AwaitingServices[];
    },
  from: CarriedState['cursors'],
): { summary: RunSummary; next: CarriedState } {
  const { run, report } = final;
  const { carried } = run;
  const cursors = nextCursors(carried, {
    primero: final.primeroNextCursor ?? from.primero,
    ...(final.oscarNextCursor ? { oscar: final.oscarNextCursor } : {}),
  });
  const retry = nextRetryState(carried, report, run.settings);
  // A run that stopped at its budget keeps its cursors at the unfinished windows' start.
  const next: CarriedState = withCheckpoint(
    {
      cursors,
      retries: retry.retries,
      deadLetters: settledDeadLetters(retry.deadLetters, report),
      // Absent when the run's store keeps the ledger record by record: nothing rewrites it here.
      ...((final.sent ?? carried.sent) ? { sent: final.sent ?? carried.sent } : {}),
      ...((final.awaitingServices ?? carried.awaitingServices)
        ? { awaitingServices: final.awaitingServices ?? carried.awaitingServices }
        : {}),
    },
    carried,
    report.budget,
    from,
  );
  const stop = budgetStop(report.budget, run.settings);
  const summary = buildSummary({
    ok: true,
    dryRun: run.dryRun,
    startedAt: run.startedAt,
    from,
    to: cursors,
    report,
    deadLettered: retry.deadLettered,
    ...(stop ? { budget: stop } : {}),
  });
  return { summary, next: run.dryRun ? carried : next };
}
