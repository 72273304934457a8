// What the console needs from whoever runs the sync. The pages and routes depend only on this
// interface; `runner-backend.ts` implements it on the runner's store and runOnce, tests may fake it.
// Everything here is already free of child data: ids, counts, reasons and scrubbed log lines.
import type {
  CarriedState,
  FailedItem,
  OverdueReferral,
  Progress,
  RunSummary,
  StepCounts,
  StepId,
} from '../workflow/contract.ts';
import type { HistoryFilter } from './run-history.ts';
import type { DayStats } from './daily-stats.ts';

export type SystemName = 'Primero' | 'OSCaR';

export interface SystemHealth {
  system: SystemName;
  /** When the console last saw this system answer a signed-in run (ISO-8601). */
  lastSignInAt?: string;
  /** The most recent problem since then, if any (scrubbed). */
  lastProblem?: string;
}

/** As the store keeps them (src/runner/store.ts): `succeeded-with-failures` is amber. */
export type RunStatus =
  'running' | 'succeeded' | 'succeeded-with-failures' | 'failed' | 'refused' | 'interrupted';

export interface RunListItem {
  id: string;
  /** Who started it: the timer, the console, the CLI, a retry. */
  trigger: string;
  status: RunStatus;
  dryRun: boolean;
  /** Backfill start given by an operator. */
  since?: string;
  startedAt: string;
  finishedAt?: string;
  steps?: Record<StepId, StepCounts>;
  failedCount: number;
  error?: string;
}

export interface RunLogLine {
  at: string;
  level: string;
  message: string;
}

export interface RunDetail extends RunListItem {
  summary?: RunSummary;
  failed: FailedItem[];
  /** Keys of this run's failed items still open now (waiting for a retry or dead letters). */
  openFailedKeys: string[];
  log: RunLogLine[];
}

export interface DeadLetterView extends FailedItem {
  /** Short id an administrator can quote (`dl-…`). */
  id: string;
}

/** The one-line verdict (src/runner/verdict.ts), as `npx interop status` shows it too. */
export interface HealthVerdict {
  level: 'healthy' | 'attention' | 'failing';
  reasons: string[];
  text: string;
}

/** One item outcome of a child's trace (src/runner/trace.ts): ids and reasons only. */
export interface TraceEntry {
  runId: string;
  at: string;
  step: StepId;
  kind: string;
  key: string;
  outcome: string;
  reason?: string;
  ids: Record<string, string>;
}

export interface TraceView {
  query: string;
  entries: TraceEntry[];
  runs: number;
}

export interface Overview {
  /** Healthy / attention / failing and why; absent from backends that cannot tell. */
  verdict?: HealthVerdict;
  systems: SystemHealth[];
  cursors: CarriedState['cursors'];
  /** When the timer fires next; undefined when no scheduler is running. */
  nextScheduledRun?: string;
  /** A run in progress anywhere (timer, CLI, console). */
  runningRunId?: string;
  runs: RunListItem[];
  deadLetters: DeadLetterView[];
  /** Items waiting to be retried by the next run. */
  retrying: number;
  /** Referrals awaiting an NGO decision too long (ids, organisation, days), from the last good run. */
  overdueReferrals: OverdueReferral[];
  /** What is wrong with the mapping tables (file:line and reason); runs are refused until fixed. */
  mappingProblems?: string[];
  /** The last 30 Cambodia days, oldest first, for the overview's chart. */
  days?: DayStats[];
  /** Systems scheduled runs stopped signing in to after repeated refusals (with a resume button). */
  signInPaused?: Array<{ system: 'primero' | 'oscar'; message: string }>;
}

/**
 * `now` = what the timer does; `dry-run` writes nothing; `backfill` re-reads from `since` (ISO-8601)
 * without moving the stored cursor backwards; `retry` puts a dead letter back in the retry list
 * and runs at once; `retry-run` does so for a run's failed items that are still open.
 */
export type RunRequest =
  | { kind: 'now' }
  | { kind: 'dry-run' }
  | { kind: 'backfill'; since: string }
  | { kind: 'retry'; deadLetterId: string }
  | { kind: 'retry-run'; runId: string };

export interface StartedRunResult {
  /** The stored run's id (to open its detail page). */
  runId?: string;
  summary?: RunSummary;
  /** With a retry: what became of each retried item (landed, failed again, still waiting). */
  retried?: Array<{ key: string; id: string; outcome: string; reason?: string }>;
  /** Why the run could not start or failed as a whole (scrubbed). */
  error?: string;
}

/** One page of the filtered run history (src/console/run-history.ts). */
export interface HistoryView {
  runs: RunListItem[];
  filter: HistoryFilter;
  page: number;
  pages: number;
  total: number;
}

export interface ConsoleBackend {
  overview(): Promise<Overview>;
  history(filter: HistoryFilter, page: number): Promise<HistoryView>;
  run(id: string): Promise<RunDetail | undefined>;
  deadLetters(): Promise<DeadLetterView[]>;
  /** Every item outcome of the child an id names (case id, global id, referral id). */
  trace?(query: string): Promise<TraceView>;
  /**
   * Runs the sync once and resolves when it has finished (or could not start). `onStarted` is
   * called with the stored run's id as soon as it exists, `onProgress` as steps advance.
   */
  /** Lets scheduled runs sign in to that system again; false when it was not paused. */
  resumeSignIn?(system: 'primero' | 'oscar'): Promise<boolean>;
  startRun(
    request: RunRequest,
    events: { onStarted?: (runId: string) => void; onProgress?: (progress: Progress) => void },
  ): Promise<StartedRunResult>;
}
