// runWorkflow: one run of the four-step workflow on the real @openfn/runtime. It takes the carried
// state of the last successful run, runs the plan with each step's own credential, and returns the
// summary and the state to carry on. A failed run hands back the carried state: nothing moves.
import run from '@openfn/runtime';
import createLogger from '@openfn/logger';
import { log, setLogSink } from '../log.ts';
import { ApiError } from '../http/errors.ts';
import type { LogLevel, LogSink } from '../log.ts';
import { STEP_IDS } from './contract.ts';
import type {
  CarriedState,
  RunFailure,
  RunOutcome,
  RunWorkflowOptions,
  StepId,
} from './contract.ts';
import { closeRun, openRun } from './lifecycle.ts';
import { buildPlan, loadJobs } from './plan.ts';
import { stepName } from './steps.ts';
import type { Job } from './plan.ts';
import type { AfterUpsertCasesToPrimero } from './state.ts';
import { journaledStore } from './sent-journal.ts';
import { memoryStateStore, registerRunStore, splitStore } from './state-store.ts';
import type { StateStore } from './state-store.ts';
import { carriedToItems, loadAwaiting, loadSent, withoutLedger } from './carried-items.ts';
import { HAND_OFF_PREFIX, memoryHandOffStore } from './hand-off.ts';
import { buildSummary } from './summary.ts';
import { openRunClients } from './step-context.ts';
import { stepProgress } from './step-progress.ts';
import { collectSucceeded } from './item-outcomes.ts';

export { DEFAULT_SETTINGS } from './lifecycle.ts';

/** A step's error as the runtime keeps it in `state.errors[step]`: its words. */
interface StepErrorReport {
  message?: string;
}

/**
 * The error each step threw, as thrown. The runtime keeps a job's own error as a JobError with its
 * words only (an AdaptorError keeps the fields, but a live job's operations are not told apart
 * from the adaptor's), so each operation is watched here: the failed run's `{step, system}` then
 * comes from the ApiError itself, never from its words.
 */
function watchedJobs(jobs: Record<StepId, Job>, thrown: Map<string, unknown>): Record<StepId, Job> {
  const watch =
    (step: string, operation: Job[number]) =>
    async (state: unknown): Promise<unknown> => {
      try {
        return await operation(state);
      } catch (error) {
        thrown.set(step, error);
        throw error;
      }
    };
  return Object.fromEntries(
    Object.entries(jobs).map(([step, job]) => [step, job.map((op) => watch(step, op))]),
  ) as Record<StepId, Job>;
}

type FinalState = Partial<AfterUpsertCasesToPrimero> & {
  errors?: Record<string, StepErrorReport>;
};

// Runtime log lines carry ANSI colours when written to a terminal; the sink stores plain text.
const ANSI = /\u001b\[[0-9;]*m/g;

/** An @openfn/logger that writes plain lines to `sink` (what the runtime itself logs). */
function runtimeLogger(name: string, sink: LogSink, level: 'debug' | 'info') {
  const emit =
    (lineLevel: LogLevel) =>
    (...args: unknown[]) =>
      sink(
        lineLevel,
        args
          .map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg)))
          .join(' ')
          .replace(ANSI, ''),
      );
  const emitter = {
    ...console,
    debug: emit('debug'),
    info: emit('info'),
    log: emit('info'),
    success: emit('info'),
    always: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
  };
  return createLogger(name, { level, logger: emitter as never, hideIcons: true });
}

/** A step error as the summary states it: the step and the error's first line, bounded. */
function stepError(step: string, message: string | undefined): string {
  const line = (message ?? 'unknown error').split('\n')[0] ?? '';
  const name = stepName(step);
  return `Step ${step} (${name}) failed: ${line.length > 300 ? `${line.slice(0, 300)}...` : line}`;
}

/**
 * The steps' store for this run (src/workflow/state-store.ts): the sent ledger and f2's
 * fingerprints, one item per record as on OpenFn.org, and the hand-off of child data between steps.
 * The hand-off always stays in this process's memory (locally no step output is stored anywhere,
 * and child data never reaches a lasting store); it goes with the run. The lasting items go to the
 * caller's durable store when it gives one, written as they change; otherwise to memory too,
 * seeded from the carried ledger and journaled record by record. A dry run never writes to the
 * durable store: it works on a copy of the ledger in memory.
 */
async function runStore(
  options: RunWorkflowOptions,
  carried: Pick<CarriedState, 'sent' | 'awaitingServices'>,
  dryRun: boolean,
): Promise<{ store: StateStore; durable: boolean }> {
  const handOff = memoryHandOffStore();
  if (options.store && !dryRun)
    return { store: splitStore(HAND_OFF_PREFIX, handOff, options.store), durable: true };
  const memory = memoryStateStore();
  const sent = options.store ? await loadSent(options.store) : (carried.sent ?? []);
  const awaitingServices = options.store
    ? await loadAwaiting(options.store)
    : (carried.awaitingServices ?? []);
  await memory.set(carriedToItems({ sent, awaitingServices }));
  const journal = options.onSentRecord;
  return {
    store: splitStore(
      HAND_OFF_PREFIX,
      handOff,
      journal && !dryRun ? journaledStore(memory, journal) : memory,
    ),
    durable: false,
  };
}

export async function runWorkflow(
  options: RunWorkflowOptions,
  jobs?: Record<StepId, Job>,
): Promise<RunOutcome> {
  const startedAt = new Date().toISOString();
  const dryRun = options.dryRun ?? false;
  const runId = globalThis.crypto.randomUUID();
  const opened = openRun({
    ...(options.carried ? { carried: options.carried } : {}),
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
    dryRun,
    runId,
    startedAt,
  });
  if (!opened.ok) {
    options.logSink?.('error', opened.error);
    return { summary: opened.summary, next: opened.carried };
  }
  const { input, from } = opened;
  const { carried } = input.run;
  const { store, durable } = await runStore(options, carried, dryRun);
  input.run.carried = withoutLedger(carried);

  const sink: LogSink = options.logSink ?? ((level, message) => log[level](message));
  const jobLogger = runtimeLogger('JOB', sink, 'debug');
  const restoreSink = options.logSink
    ? setLogSink((level, message) => jobLogger[level](message))
    : () => undefined;

  const restoreStore = registerRunStore(runId, store);
  // One client per system for the whole run: one sign-in each, not one per step.
  const closeClients = openRunClients(runId);
  let final: FinalState | undefined;
  let crash: string | undefined;
  const thrown = new Map<string, unknown>();
  const progress = stepProgress(options.onProgress);
  // The items that land are kept beside the run, not in the state the runtime copies per step.
  const landed = options.itemOutcomes ? collectSucceeded() : undefined;
  try {
    const plan = buildPlan(options.systems, watchedJobs(jobs ?? (await loadJobs()), thrown));
    // A plan with one start hands back the final state of its last step (not a map of leaves).
    final = (await run(plan, input, {
      // The runtime's ESM hook resolves adaptor imports of jobs given as source text; these jobs
      // are functions already, and the hook would start a loader thread on every run
      // (@openfn/runtime 1.9.5 src/modules/register-esm-hook.ts, src/runtime.ts).
      disableEsmHook: true,
      logger: runtimeLogger('R', sink, 'info'),
      callbacks: { notify: progress.notify },
    })) as FinalState;
  } catch (error) {
    crash = stepError('workflow', (error as Error)?.message ?? String(error));
  } finally {
    progress.stop();
    landed?.stop();
    restoreStore();
    closeClients();
    restoreSink();
  }

  if (final?.report && landed) final.report.succeeded = landed.items;
  const failedStep = final?.errors ? Object.keys(final.errors)[0] : undefined;
  const failure = failedStep ? failureOf(failedStep, thrown.get(failedStep)) : undefined;
  const error =
    crash ??
    (failedStep ? stepError(failedStep, final?.errors?.[failedStep]?.message) : undefined) ??
    (final?.report ? undefined : 'The workflow ended without a report');
  if (error !== undefined) {
    sink('error', error);
    // Cursors and retries stay; OSCaR has received what f1-j2 sent, so the sent ledger moves on
    // (docs/sync-rules.md: a rerun of the window must not send those referrals again). f1-j2
    // wrote each record to the run's store as it saw the write; a durable store keeps it already.
    const next = dryRun || durable ? carried : { ...carried, sent: await loadSent(store) };
    const summary = buildSummary({
      ok: false,
      dryRun,
      startedAt,
      from,
      to: carried.cursors,
      ...(final?.report ? { report: final.report } : {}),
      error,
      ...(failure ? { failure } : {}),
    });
    return { summary, next };
  }

  const report = final!.report!;
  const sent = durable ? undefined : await loadSent(store);
  const awaitingServices = durable ? undefined : await loadAwaiting(store);
  const closed = closeRun(
    {
      ...final!,
      run: input.run,
      report,
      ...(sent ? { sent } : {}),
      // Absent when empty, as a store without any such item reads back.
      ...(awaitingServices && awaitingServices.length > 0 ? { awaitingServices } : {}),
    },
    from,
  );
  const { summary } = closed;
  // A dry run hands on what it got, ledger included.
  // With a durable store the ledger is there already, record by record: never handed back, so no
  // caller can rewrite it whole (a partial list would remove every record it lacks).
  const { sent: _kept, ...withoutSent } = closed.next;
  const next = dryRun ? carried : durable ? withoutSent : closed.next;
  const counts = STEP_IDS.map((id) => {
    const c = report.steps[id];
    return `${id} ${c.fetched} fetched/${c.written} written/${c.unchanged} unchanged/${c.failed} failed`;
  });
  sink('info', `Run finished${dryRun ? ' (dry run)' : ''}: ${counts.join('; ')}`);
  if (summary.budget) sink('info', summary.budget.message);
  return { summary, next };
}

/** Which step failed and, when a system's answer (or silence) failed it, which system. */
function failureOf(step: string, error: unknown): RunFailure | undefined {
  if (!(STEP_IDS as readonly string[]).includes(step)) return undefined;
  if (!(error instanceof ApiError)) return { step: step as StepId };
  // A 401 to the sign-in request: the system refused the credentials (the sign-in brake reads it).
  const refusedSignIn = error.signIn === true && error.status === 401;
  return {
    step: step as StepId,
    system: error.system,
    ...(refusedSignIn ? { refusedSignIn } : {}),
  };
}
