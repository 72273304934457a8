// What every runner command does first: read the configuration, open the store, build the runner;
// and what they do last: run once and report. Shared by the CLI commands and `npm start`.
import { Cron } from 'croner';
import { loadDotEnv, readConfig, requireSystems, secretsOf } from '../config/env.ts';
import type { RunnerConfig } from '../config/env.ts';
import { createAlerter } from '../alerts/alerter.ts';
import type { Alerter } from '../alerts/alerter.ts';
import { channelsOf } from '../alerts/channels.ts';
import type { LogSink } from '../log.ts';
import type { SystemsConfig } from '../workflow/contract.ts';
import { refusingOnBrokenTables } from './mapping-gate.ts';
import { createProgressReporter } from './progress.ts';
import type { ProgressOutput } from './progress.ts';
import { formatSummary, latestOverdueReferrals } from './report.ts';
import type { StatusView } from './report.ts';
import { createRunner } from './run-once.ts';
import { pausedSystems } from './sign-in-brake.ts';
import type { RunOnceOptions, RunWorkflow, Runner } from './run-once.ts';
import type { Store } from './store.ts';
import { verdictOf } from './verdict.ts';
import { formatRetried } from './retry-outcome.ts';

/** `.env` (if present) then the environment, validated. */
export function loadRunnerConfig(): RunnerConfig {
  loadDotEnv();
  return readConfig(process.env);
}

/** The sync itself, imported at its first run (status and history stay fast), which comes after
 * the mapping check: the jobs import the tables, so a broken table must be caught before. */
export async function loadRunWorkflow(): Promise<RunWorkflow> {
  let loaded: Promise<RunWorkflow> | undefined;
  return async (options) => {
    loaded ??= import('../workflow/run.ts').then((module) => module.runWorkflow);
    return (await loaded)(options);
  };
}

export function buildRunner(input: {
  store: Store;
  config: RunnerConfig;
  systems?: SystemsConfig;
  runWorkflow: RunWorkflow;
  echo?: LogSink;
}): Runner {
  const systems = input.systems ?? requireSystems(input.config);
  const alerts = alerterFor(input.store, input.config);
  const runner = createRunner({
    store: input.store,
    runWorkflow: input.runWorkflow,
    systems,
    settings: input.config.settings,
    secrets: secretsOf(systems, input.config.alerts),
    ...(input.echo ? { echo: input.echo } : {}),
    ...(alerts ? { alerts } : {}),
    ...(input.config.historyDays !== undefined ? { historyDays: input.config.historyDays } : {}),
  });
  return refusingOnBrokenTables(runner);
}

/** The configured alert channels, or undefined when no alert variable is set. */
export function alerterFor(store: Store, config: RunnerConfig): Alerter | undefined {
  const channels = channelsOf(config.alerts);
  if (channels.length === 0) return undefined;
  return createAlerter({
    store,
    channels,
    ...(config.alerts.consoleUrl ? { consoleUrl: config.alerts.consoleUrl } : {}),
  });
}

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
/** Another run held the lock: nothing was attempted; try again later. */
export const EXIT_REFUSED = 2;

export interface Terminal {
  out: (text: string) => void;
  err: ProgressOutput;
}

export const processTerminal = (): Terminal => ({
  out: (text) => process.stdout.write(`${text}\n`),
  err: process.stderr,
});

/** Runs once, shows progress on stderr and the summary (text or JSON) on stdout; the exit code. */
export async function runAndReport(
  runner: Runner,
  options: RunOnceOptions,
  view: { json?: boolean; terminal?: Terminal } = {},
): Promise<number> {
  const terminal = view.terminal ?? processTerminal();
  const progress = view.json ? undefined : createProgressReporter(terminal.err);
  let result;
  try {
    result = await runner.runOnce({
      ...options,
      ...(progress ? { onProgress: progress.onProgress } : {}),
    });
  } finally {
    progress?.finish();
  }
  if (result.status === 'refused') {
    if (view.json)
      terminal.out(JSON.stringify({ status: 'refused', reason: result.reason }, null, 2));
    else terminal.err.write(`${result.reason}\n`);
    return EXIT_REFUSED;
  }
  if (view.json) {
    terminal.out(
      JSON.stringify(
        {
          runId: result.run.id,
          status: result.status,
          ...result.summary,
          ...(result.retried ? { retried: result.retried } : {}),
        },
        null,
        2,
      ),
    );
  } else {
    terminal.out(formatSummary(result.summary, result.run));
    // A retry says what became of each item it retried, not only how the run went.
    for (const line of formatRetried(result.retried ?? [])) terminal.out(line);
  }
  // An amber run (items failed, retried or dead-lettered) finished: its items are in the summary.
  return result.status === 'failed' ? EXIT_RUN_FAILED : EXIT_OK;
}

export function statusView(store: Store, cron: string, mappingProblems = 0): StatusView {
  const carried = store.lastCarriedState();
  const scheduler = store.schedulerInfo();
  const runningNow = store.lockHolder();
  // Overdue referrals come from the last successful run, which may be behind a few failed ones.
  const recent = store.listRuns({ limit: 20 });
  const runs = recent.slice(0, 5);
  const view: StatusView = {
    verdict: verdictOf(store, mappingProblems),
    store: store.path,
    cursors: carried?.cursors ?? {},
    retrying: carried?.retries.length ?? 0,
    cron: scheduler?.alive ? scheduler.cron : cron,
    runs,
    deadLetters: store.listDeadLetters(),
    overdueReferrals: latestOverdueReferrals(recent),
    signInPaused: pausedSystems(store),
    ...(runningNow ? { runningNow } : {}),
    ...(scheduler ? { scheduler } : {}),
  };
  if (scheduler?.alive) {
    // The recorded time may be a tick behind; croner knows the next one from the pattern.
    const next = new Cron(scheduler.cron, { paused: true });
    const due = next.nextRun();
    next.stop();
    if (due) view.nextScheduledRun = due.toISOString();
  }
  return view;
}
