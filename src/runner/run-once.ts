// One run of the workflow as the CLI, the scheduler and the console all start it: take the lock,
// record the run, run the workflow with its log lines captured into the store, record the outcome
// and (only on success) the carried state for the next run, release the lock.
import { randomUUID } from 'node:crypto';
import { setLogSink } from '../log.ts';
import type { LogLevel, LogSink } from '../log.ts';
import { instantMs, notATime } from '../time.ts';
import { STEP_IDS } from '../workflow/contract.ts';
import type {
  CarriedState,
  FailedItem,
  Progress,
  RunOutcome,
  RunSummary,
  RunWorkflowOptions,
  StepCounts,
  StepId,
  SyncSettings,
  SystemsConfig,
} from '../workflow/contract.ts';
import type { Alerter } from './alerts/alerter.ts';
import { eventsOfRun } from './alerts/events.ts';
import { captureConsole } from './console-capture.ts';
import { latestOverdueReferrals } from './report.ts';
import { recordRunSignIns } from './sign-in-brake.ts';
import { createRedactor, redactDeep } from './redact.ts';
import { DEFAULT_HISTORY_DAYS, entriesOfRun } from './item-history.ts';
import { formatRetried, retriedOutcomes } from './retry-outcome.ts';
import type { RetriedItem } from './retry-outcome.ts';
import { DEFAULT_LEASE_MS, deadLetterId, finishedStatus } from './store.ts';
import type { LockHandle, LockInfo, RunRecord, RunTrigger, Store } from './store.ts';

export type RunWorkflow = (options: RunWorkflowOptions) => Promise<RunOutcome>;

export interface RunnerDeps {
  store: Store;
  /** The sync (src/workflow/run.ts); injectable so tests and the console can substitute it. */
  runWorkflow: RunWorkflow;
  systems: SystemsConfig;
  settings?: Partial<SyncSettings>;
  /** Further values to cut out of log lines, besides the two configured passwords. */
  secrets?: string[];
  /** Also receives every (redacted) log line, e.g. the terminal with --verbose. */
  echo?: LogSink;
  /** How long the lock holds without renewal; renewed every third of it while the run goes on. */
  leaseMs?: number;
  /** Email and webhook alerts (src/runner/alerts); none when absent. */
  alerts?: Alerter;
  /** Days the per-item history keeps (INTEROP_HISTORY_DAYS); pruned after every run. */
  historyDays?: number;
}

export type RetryTarget = { runId: string } | { deadLetterId: string };

export interface RunOnceOptions {
  trigger: RunTrigger;
  /** Explicit start (backfill), ISO-8601; never moves the stored cursor backwards. */
  since?: string;
  dryRun?: boolean;
  onProgress?: (progress: Progress) => void;
  /** Called once the run is recorded (the console opens its page by this id). */
  onStarted?: (run: RunRecord) => void;
  /** Put these failed items back in the retry list (attempts reset) before the run. */
  retry?: RetryTarget;
}

/** A finished run's status: `succeeded-with-failures` is the amber one (items failed). */
export type FinishedStatus = Exclude<ReturnType<typeof finishedStatus>, 'refused'>;

export type RunOnceResult =
  | { status: 'refused'; reason: string; heldBy?: LockInfo; run?: RunRecord }
  | {
      status: FinishedStatus;
      run: RunRecord;
      summary: RunSummary;
      /** With `retry`: what became of each retried item. */
      retried?: RetriedItem[];
    };

export interface Runner {
  readonly store: Store;
  runOnce(options: RunOnceOptions): Promise<RunOnceResult>;
  /** Sends alert digests whose hour has passed (a scheduler tick that starts no run). */
  flushAlerts(warn: (message: string) => void): Promise<void>;
}

/** Stores a run refused before it attempted anything (its row says why). */
export function recordRefusal(
  store: Store,
  options: Pick<RunOnceOptions, 'trigger' | 'since' | 'dryRun'>,
  reason: string,
): RunRecord {
  return store.recordRefusedRun({
    trigger: options.trigger,
    reason,
    ...(options.since ? { since: options.since } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
  });
}

/** `--since` as given by an operator: an ISO-8601 date-time (a bare date means its midnight UTC). */
export function parseSince(text: string): string {
  const time = instantMs(text);
  if (Number.isNaN(time)) throw notATime(`--since "${text}"`);
  if (time > Date.now())
    throw new Error(`--since ${text} is in the future: give a start in the past`);
  return new Date(time).toISOString();
}

export function refusalMessage(heldBy: LockInfo): string {
  return (
    `Another run is in progress (run ${heldBy.runId}, started ${heldBy.acquiredAt} by process ` +
    `${heldBy.pid} on ${heldBy.host}); only one run at a time. Try again when it has finished ` +
    '(`npx interop status` shows it).'
  );
}

const zeroCounts = (): StepCounts => ({
  fetched: 0,
  written: 0,
  unchanged: 0,
  failed: 0,
  skipped: 0,
});

/** The summary of a run whose workflow threw instead of returning an outcome. */
function crashSummary(
  startedAt: string,
  carried: CarriedState | undefined,
  dryRun: boolean,
  error: string,
): RunSummary {
  const cursors = carried?.cursors ?? {};
  return {
    ok: false,
    dryRun,
    startedAt,
    finishedAt: new Date().toISOString(),
    from: cursors,
    to: cursors,
    steps: Object.fromEntries(STEP_IDS.map((step) => [step, zeroCounts()])) as Record<
      StepId,
      StepCounts
    >,
    failed: [],
    deadLettered: [],
    planned: [],
    error,
  };
}

export function createRunner(deps: RunnerDeps): Runner {
  const { store } = deps;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const redact = createRedactor([
    deps.systems.primero.password,
    deps.systems.oscar.password,
    ...(deps.secrets ?? []),
  ]);

  async function runOnce(options: RunOnceOptions): Promise<RunOnceResult> {
    const runId = randomUUID();
    const dryRun = options.dryRun ?? false;
    const lock = store.acquireLock({ runId, leaseMs });
    if (!lock.ok) {
      const reason = refusalMessage(lock.heldBy);
      const run = recordRefusal(store, options, reason);
      return { status: 'refused', reason, heldBy: lock.heldBy, run };
    }
    const heartbeat = setInterval(
      () => store.renewLock(lock.handle, leaseMs),
      Math.max(1000, leaseMs / 3),
    );
    heartbeat.unref();
    try {
      const retry = options.retry ? prepareRetry(options.retry, lock.handle) : undefined;
      const run = store.recordRunStart({
        id: runId,
        trigger: options.trigger,
        dryRun,
        ...(options.since ? { since: options.since } : {}),
        ...(retry ? { retryOf: retry.of } : {}),
      });
      const sink: LogSink = (level: LogLevel, message: string) => {
        const clean = redact(message);
        store.appendLog(run.id, level, clean);
        deps.echo?.(level, clean);
      };
      if (retry) sink('info', retry.note);
      options.onStarted?.(run);
      // Without the ledger: the run reads the records it needs from the store itself.
      const carried = store.lastCarriedState({ ledger: false });
      const restoreLogSink = setLogSink(sink);
      const restoreConsole = captureConsole(sink);
      let outcome: RunOutcome;
      try {
        outcome = await deps.runWorkflow({
          systems: deps.systems,
          ...(carried ? { carried } : {}),
          ...(options.since ? { since: options.since } : {}),
          dryRun,
          // The per-item history (trace) needs every item that landed, not only the failed ones.
          itemOutcomes: true,
          ...(deps.settings ? { settings: deps.settings } : {}),
          onProgress: (progress) => {
            // What a step said is on disk once it ends (the log is written in batches).
            if (progress.phase === 'done') store.flushLogs();
            options.onProgress?.(progress);
          },
          logSink: sink,
          // What OSCaR has (or may have) received is stored the moment it changes, record by
          // record, not at the end: a run killed half-way must not make the next one send those
          // referrals again. The run reads and writes its lasting items in this database.
          store: store.stateStore(),
        });
      } catch (error) {
        const reason = redact(error instanceof Error ? error.message : String(error));
        sink('error', `The workflow stopped: ${reason}`);
        outcome = {
          summary: crashSummary(run.startedAt, carried, dryRun, reason),
          next: carried ?? emptyState(),
        };
      } finally {
        restoreConsole();
        restoreLogSink();
      }
      const summary = redactDeep(outcome.summary, redact);
      // A dry run writes nothing, so it must not move the cursors or touch the retry list either.
      const next = dryRun
        ? undefined
        : stateToStore(carried, redactDeep(outcome.next, redact), summary.ok);
      const overdueBefore = latestOverdueReferrals(store.listRuns({ limit: 20 }));
      const { succeeded, ...stored } = summary;
      const finished = store.finishRun(run.id, { summary: stored, ...(next ? { next } : {}) });
      keepItemHistory(finished, summary, succeeded ?? [], sink);
      const retried =
        retry && summary.ok ? retriedOutcomes(retry.items, summary, succeeded ?? []) : undefined;
      for (const line of formatRetried(retried ?? [])) sink('info', line);
      // A dry run signs in too: its refusals count toward the lockout like any other.
      const paused = countSignIns(summary, sink);
      if (deps.alerts) {
        const known = new Set(overdueBefore.map((item) => item.key));
        const newlyOverdue = summary.ok
          ? (summary.overdueReferrals ?? []).filter((item) => !known.has(item.key))
          : [];
        const events = eventsOfRun({ run: finished, summary, newlyOverdue, paused });
        await deliverAlerts(events, (message) => sink('warn', message));
      }
      const status = finishedStatus(summary);
      // The workflow could not start (no start for a first run, unusable settings): a refusal.
      if (status === 'refused')
        return { status, reason: summary.error ?? 'the run could not start', run: finished };
      return { status, run: finished, summary: stored, ...(retried ? { retried } : {}) };
    } finally {
      clearInterval(heartbeat);
      store.releaseLock(lock.handle);
    }
  }

  /** The per-item history of a finished run, then the retention; never fails the run. */
  function keepItemHistory(
    run: RunRecord,
    summary: RunSummary,
    succeeded: NonNullable<RunSummary['succeeded']>,
    sink: LogSink,
  ): void {
    if (summary.dryRun) return;
    try {
      store.itemHistory.record(
        entriesOfRun({
          runId: run.id,
          at: run.finishedAt ?? summary.finishedAt,
          succeeded,
          failed: summary.failed,
          deadLettered: summary.deadLettered,
        }),
      );
      const days = deps.historyDays ?? DEFAULT_HISTORY_DAYS;
      store.itemHistory.prune(new Date(Date.now() - days * 86_400_000).toISOString());
    } catch (error) {
      sink(
        'warn',
        `Item history not recorded: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** The sign-in pause's bookkeeping; a finished run stays finished whatever happens here. */
  function countSignIns(summary: RunSummary, sink: LogSink): ReturnType<typeof recordRunSignIns> {
    try {
      return recordRunSignIns(store, summary);
    } catch (error) {
      sink(
        'warn',
        `Sign-in refusals not counted: ${error instanceof Error ? error.message : String(error)}`,
      );
      return [];
    }
  }

  /** Alerts never fail a run: whatever goes wrong is one scrubbed warning. */
  async function deliverAlerts(
    events: Parameters<Alerter['deliver']>[0],
    warn: (message: string) => void,
  ): Promise<void> {
    try {
      await deps.alerts?.deliver(events, (message) => warn(redact(message)));
    } catch (error) {
      warn(redact(`Alerts not sent: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  function prepareRetry(
    target: RetryTarget,
    lock: LockHandle,
  ): { of: string; note: string; items: FailedItem[] } {
    if ('deadLetterId' in target) {
      const item = store.requeueDeadLetter(target.deadLetterId, lock);
      return {
        of: deadLetterId(item.key),
        items: [item],
        note: `Dead letter ${deadLetterId(item.key)} (${item.key}) is back in the retry list with attempts reset`,
      };
    }
    const retried = store.getRun(target.runId);
    if (!retried)
      throw new Error(`No run ${target.runId}: list runs with \`npx interop history\`.`);
    // Only the run's items still open (waiting or dead letters): one that succeeded since is done.
    const carried = store.lastCarriedState();
    const open = new Set(
      [...(carried?.retries ?? []), ...(carried?.deadLetters ?? [])].map((item) => item.key),
    );
    const items = store.getRunFailedItems(retried.id).filter((item) => open.has(item.key));
    const count = items.length > 0 ? store.requeueItems(items, lock) : 0;
    return {
      of: retried.id,
      items,
      note: `Retrying run ${retried.id}: ${count} failed item(s) back in the retry list with attempts reset`,
    };
  }

  const flushAlerts = (warn: (message: string) => void) => deliverAlerts([], warn);

  return { store, runOnce, flushAlerts };
}

/**
 * What a run hands on. A successful run: its next state (cursors never moving backwards). A failed
 * run: nothing but the ledger of writes OSCaR has already received, so the window re-run by the
 * next run does not send them twice; its cursors and retries stay as they were.
 */
function stateToStore(
  carried: CarriedState | undefined,
  next: CarriedState,
  ok: boolean,
): CarriedState | undefined {
  if (ok) return keepCursorsForward(carried, next);
  if (next.sent === undefined || JSON.stringify(next.sent) === JSON.stringify(carried?.sent))
    return undefined;
  return { ...(carried ?? emptyState()), sent: next.sent };
}

/**
 * The workflow already keeps the later of the stored and the computed cursors; the runner checks it
 * again, because a cursor moved backwards by a backfill would re-send a whole history every hour.
 */
export function keepCursorsForward(
  stored: CarriedState | undefined,
  next: CarriedState,
): CarriedState {
  const cursors = { ...next.cursors };
  for (const system of ['primero', 'oscar'] as const) {
    const before = stored?.cursors[system];
    const after = cursors[system];
    if (before !== undefined && (after === undefined || cursorTime(after) < cursorTime(before))) {
      cursors[system] = before;
    }
  }
  return { ...next, cursors };
}

/** An unreadable cursor counts as the earliest: any readable one moves past it. */
function cursorTime(cursor: string): number {
  const time = instantMs(cursor);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

const emptyState = (): CarriedState => ({ cursors: {}, retries: [], deadLetters: [] });
