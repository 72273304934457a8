// runWorkflow: one run of the four-step workflow on the real @openfn/runtime. It takes the carried
// state of the last successful run, runs the plan with each step's own credential, and returns the
// summary and the state to carry on. A failed run hands back the carried state: nothing moves.
import run from '@openfn/runtime';
import createLogger from '@openfn/logger';
import { log, setLogSink } from '../log.ts';
import type { LogLevel, LogSink } from '../log.ts';
import { STEP_IDS } from './contract.ts';
import type { RunOutcome, RunWorkflowOptions, StepId } from './contract.ts';
import { closeRun, openRun } from './lifecycle.ts';
import { STEP_NAMES, buildPlan, loadJobs } from './plan.ts';
import type { Job } from './plan.ts';
import type { AfterUpsertCasesToPrimero } from './state.ts';
import { openSentJournal } from './sent-journal.ts';
import { memoryStateStore, registerRunStore } from './state-store.ts';
import { carriedToItems, loadSent, withoutLedger } from './carried-items.ts';
import { buildSummary } from './summary.ts';
import { stepProgress } from './step-progress.ts';

export { DEFAULT_SETTINGS } from './lifecycle.ts';

type FinalState = Partial<AfterUpsertCasesToPrimero> & {
  errors?: Record<string, { message?: string }>;
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
  const name = STEP_NAMES[step as StepId] ?? step;
  return `Step ${step} (${name}) failed: ${line.length > 300 ? `${line.slice(0, 300)}...` : line}`;
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
    ...(options.itemOutcomes ? { itemOutcomes: true } : {}),
  });
  if (!opened.ok) {
    options.logSink?.('error', opened.error);
    return { summary: opened.summary, next: opened.carried };
  }
  const { input, from } = opened;
  const { carried } = input.run;
  // The steps' store for this run (src/workflow/state-store.ts): the sent ledger, one item per
  // record as on OpenFn.org, and the hand-off of child data between steps. Locally no step output
  // is stored anywhere, so this process's memory is enough; it goes with the run. The runner
  // keeps the lasting facts (src/runner/store.ts) from what the run hands back.
  const store = memoryStateStore();
  await store.set(carriedToItems({ sent: carried.sent ?? [] }));
  input.run.carried = withoutLedger(carried);

  const sink: LogSink = options.logSink ?? ((level, message) => log[level](message));
  const jobLogger = runtimeLogger('JOB', sink, 'debug');
  const restoreSink = options.logSink
    ? setLogSink((level, message) => jobLogger[level](message))
    : () => undefined;

  const restoreJournal = dryRun
    ? () => undefined
    : openSentJournal(runId, (sent) => options.onSentLedger?.(sent));
  const restoreStore = registerRunStore(runId, store);
  let final: FinalState | undefined;
  let crash: string | undefined;
  const progress = stepProgress(options.onProgress);
  try {
    const plan = buildPlan(options.systems, jobs ?? (await loadJobs()));
    const result = await run(
      plan as never,
      input as never,
      {
        logger: runtimeLogger('R', sink, 'info'),
        callbacks: { notify: progress.notify },
      } as never,
    );
    final = result as FinalState;
  } catch (error) {
    crash = stepError('workflow', (error as Error)?.message ?? String(error));
  } finally {
    progress.stop();
    restoreStore();
    restoreJournal();
    restoreSink();
  }

  const failedStep = final?.errors ? Object.keys(final.errors)[0] : undefined;
  const error =
    crash ??
    (failedStep ? stepError(failedStep, final?.errors?.[failedStep]?.message) : undefined) ??
    (final?.report ? undefined : 'The workflow ended without a report');
  if (error !== undefined) {
    sink('error', error);
    // Cursors and retries stay; OSCaR has received what f1-j2 sent, so the sent ledger moves on
    // (docs/sync-rules.md: a rerun of the window must not send those referrals again). f1-j2
    // wrote each record to the run's store as it saw the write.
    const next = dryRun ? carried : { ...carried, sent: await loadSent(store) };
    const summary = buildSummary({
      ok: false,
      dryRun,
      startedAt,
      from,
      to: carried.cursors,
      ...(final?.report ? { report: final.report } : {}),
      error,
    });
    return { summary, next };
  }

  const report = final!.report!;
  const sent = await loadSent(store);
  const closed = closeRun({ ...final!, run: input.run, report, sent }, from);
  const { summary } = closed;
  // A dry run hands on what it got, ledger included.
  const next = dryRun ? carried : closed.next;
  const counts = STEP_IDS.map((id) => {
    const c = report.steps[id];
    return `${id} ${c.fetched} fetched/${c.written} written/${c.unchanged} unchanged/${c.failed} failed`;
  });
  sink('info', `Run finished${dryRun ? ' (dry run)' : ''}: ${counts.join('; ')}`);
  if (summary.budget) sink('info', summary.budget.message);
  return { summary, next };
}
