// The console on top of the local runner: reads the runner's store, starts runs through the same
// runOnce the timer and the CLI use (so the one-run-at-a-time lock and the cursor rules hold).
import { Cron } from 'croner';
import type { Runner } from '../runner/run-once.ts';
import type { RunRecord, Store } from '../runner/store.ts';
import { latestOverdueReferrals } from '../runner/report.ts';
import { historyPage } from './run-history.ts';
import { dailyStats, recentRuns } from './daily-stats.ts';
import type {
  ConsoleBackend,
  Overview,
  RunDetail,
  RunListItem,
  RunRequest,
  StartedRunResult,
  SystemHealth,
  SystemName,
} from './backend.ts';
import { pauseMessage, pausedSystems, resumeSignIn } from '../runner/sign-in-brake.ts';
import { CREDENTIAL_KINDS, credentialSpec } from '../workflow/steps.ts';
import { traceChild } from '../runner/trace.ts';
import { verdictOf } from '../runner/verdict.ts';

export interface RunnerBackendOptions {
  /** How many runs the overview lists. */
  historyLimit?: number;
  /** How many runs back to look for the last sign-in of each system. */
  healthLookback?: number;
  /** What is wrong with the mapping tables now (src/runner/mapping-gate.ts); shown on the overview. */
  mappingProblems?: () => string[];
}

function toListItem(run: RunRecord): RunListItem {
  return {
    id: run.id,
    trigger: run.trigger,
    status: run.status,
    dryRun: run.dryRun,
    ...(run.since ? { since: run.since } : {}),
    startedAt: run.startedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    ...(run.summary ? { steps: run.summary.steps } : {}),
    failedCount: run.summary?.failed.length ?? 0,
    ...(run.error ? { error: run.error } : {}),
  };
}

/**
 * A run that finished without failing as a whole had both systems answer signed-in requests. A
 * failed run's problem belongs to the system its summary's `failure` names; a failure that names
 * no system (a run recorded before it existed, or a step that failed on its own) is shown for both.
 */
export function systemHealth(runs: RunRecord[]): SystemHealth[] {
  const finished = runs.filter(
    (run) =>
      run.status === 'succeeded' ||
      run.status === 'succeeded-with-failures' ||
      run.status === 'failed',
  );
  return CREDENTIAL_KINDS.map((kind) => {
    const health: SystemHealth = { system: credentialSpec(kind).system as SystemName };
    for (const run of finished) {
      if (run.status !== 'failed') {
        health.lastSignInAt = run.finishedAt ?? run.startedAt;
        break;
      }
      const failedSystem = run.summary?.failure?.system;
      if (!health.lastProblem && (failedSystem === undefined || failedSystem === kind))
        health.lastProblem = run.error || run.summary?.error || 'run failed';
    }
    return health;
  });
}

/** Items open now: waiting in the retry list or dead letters (the one lifecycle of an item). */
function openKeys(store: Store): Set<string> {
  const carried = store.lastCarriedState();
  return new Set([...(carried?.retries ?? []), ...(carried?.deadLetters ?? [])].map((i) => i.key));
}

function nextScheduledRun(store: Store): string | undefined {
  const scheduler = store.schedulerInfo();
  if (!scheduler?.alive) return undefined;
  // The recorded time may be a tick behind; croner knows the next one from the pattern.
  const cron = new Cron(scheduler.cron, { paused: true });
  const next = cron.nextRun();
  cron.stop();
  return next?.toISOString() ?? scheduler.nextRunAt;
}

export function runnerBackend(runner: Runner, options: RunnerBackendOptions = {}): ConsoleBackend {
  const { store } = runner;
  const historyLimit = options.historyLimit ?? 15;
  const healthLookback = options.healthLookback ?? 200;

  return {
    async overview(): Promise<Overview> {
      const carried = store.lastCarriedState({ ledger: false });
      const recent = store.listRuns({ limit: Math.max(historyLimit, healthLookback) });
      const running = store.lockHolder();
      const next = nextScheduledRun(store);
      const mappingProblems = options.mappingProblems?.() ?? [];
      return {
        verdict: verdictOf(store, mappingProblems.length),
        systems: systemHealth(recent),
        cursors: carried?.cursors ?? {},
        ...(next ? { nextScheduledRun: next } : {}),
        ...(running ? { runningRunId: running.runId } : {}),
        runs: recent.slice(0, historyLimit).map(toListItem),
        deadLetters: store.listDeadLetters(),
        retrying: carried?.retries.length ?? 0,
        days: dailyStats(recentRuns(store, Date.now()), Date.now()),
        overdueReferrals: latestOverdueReferrals(recent),
        ...(mappingProblems.length > 0 ? { mappingProblems } : {}),
        signInPaused: pausedSystems(store).map((pause) => ({
          system: pause.system,
          message: pauseMessage(pause),
        })),
      };
    },

    async history(filter, page) {
      const found = historyPage(store, filter, page);
      return { ...found, runs: found.runs.map(toListItem) };
    },

    async resumeSignIn(system) {
      return resumeSignIn(store, system);
    },

    async run(id: string): Promise<RunDetail | undefined> {
      const run = store.getRun(id);
      if (!run) return undefined;
      const failed = store.getRunFailedItems(run.id);
      const open = openKeys(store);
      return {
        ...toListItem(run),
        ...(run.summary ? { summary: run.summary } : {}),
        failed,
        openFailedKeys: failed.map((item) => item.key).filter((key) => open.has(key)),
        log: store.getRunLogs(run.id),
      };
    },

    async deadLetters() {
      return store.listDeadLetters();
    },

    async trace(query: string) {
      return traceChild(store, query);
    },

    async startRun(request: RunRequest, events): Promise<StartedRunResult> {
      const result = await runner.runOnce({
        trigger: request.kind === 'retry' || request.kind === 'retry-run' ? 'retry' : 'console',
        ...(request.kind === 'dry-run' ? { dryRun: true } : {}),
        ...(request.kind === 'backfill' ? { since: request.since } : {}),
        ...(request.kind === 'retry' ? { retry: { deadLetterId: request.deadLetterId } } : {}),
        ...(request.kind === 'retry-run' ? { retry: { runId: request.runId } } : {}),
        onStarted: (run) => events.onStarted?.(run.id),
        ...(events.onProgress ? { onProgress: events.onProgress } : {}),
      });
      if (result.status === 'refused') return { error: result.reason };
      return {
        runId: result.run.id,
        summary: result.summary,
        ...(result.retried ? { retried: result.retried } : {}),
        ...(result.summary.error ? { error: result.summary.error } : {}),
      };
    },
  };
}
