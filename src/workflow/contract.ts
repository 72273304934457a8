// The seam between the sync (jobs + workflow) and whoever runs it (CLI runner, console, tests,
// benchmark). Runner and console see only these types: never a field name of either system.
import type { LogSink } from '../log.ts';
import type { Credential, CredentialKind } from './steps.ts';
import type { SentChange } from './sent-journal.ts';
import type { StateStore } from './state-store.ts';

// The steps' ids and order are declared with the rest of their facts in steps.ts.
export { STEP_IDS } from './steps.ts';
export type { StepId } from './steps.ts';
import type { StepId } from './steps.ts';

/** Credentials of the two systems; each step receives only its own system's part. */
export interface SystemsConfig {
  /** `basicAuth` is for tests only: it skips the token sign-in the emulator throttles. */
  primero: Credential<'primero'> & { basicAuth?: boolean };
  oscar: Credential<'oscar'>;
}

export interface SyncSettings {
  /** OSCaR organisations whose clients are never synced (default: demo). */
  excludedOrgs: string[];
  /** Attempts before a failed item becomes a dead letter (default 5). */
  maxAttempts: number;
  /** Requests in flight per system (default 4). */
  concurrency: number;
  /**
   * Days a referral sent to OSCaR may wait for an NGO's decision before the run reports it as
   * overdue (INTEROP_DECISION_OVERDUE_DAYS, default 14).
   */
  decisionOverdueDays?: number;
  /**
   * Wire retry tuning of both clients (src/http/transport.ts defaults: 5 attempts, 250 ms backoff
   * base, 10 s cap, 120 s timeout per attempt). Tests shorten them; INTEROP_HTTP_TIMEOUT_MS and
   * INTEROP_PRIMERO_PAGE_SIZE set the timeout and the page size.
   */
  http?: {
    maxAttempts?: number;
    baseDelayMs?: number;
    maxDelayMs?: number;
    timeoutMs?: number;
    /** Cases per Primero listing page (src/clients/primero.ts DEFAULT_PRIMERO_PAGE_SIZE). */
    primeroPageSize?: number;
  };
  /**
   * The run's time budget in seconds (`INTEROP_MAX_RUN_SECONDS`): once spent, no new work starts,
   * the run ends as a success and the next run continues from its checkpoint (src/workflow/budget.ts).
   * Absent: no limit (locally); on OpenFn.org 240 unless custom input says otherwise.
   */
  maxRunSeconds?: number;
  /**
   * The most units of work one run starts (`INTEROP_MAX_RUN_ITEMS`): a case's referral read, an
   * OSCaR upsert, an OSCaR child. Spreads a large backfill over runs; tests use it to stop a run
   * after exactly N items. Checked at the same checkpoints as the time budget.
   */
  maxRunItems?: number;
}

/** An item that failed: only ids and a reason a person can act on. */
export interface FailedItem {
  /**
   * Stable identity across runs, `<step>:<kind>:<ids>`, e.g. `f1-j2:referral:<case_id>:<row id>`;
   * the summary counts outcomes per `<step>:<kind>`.
   */
  key: string;
  step: StepId;
  kind: 'referral' | 'decision' | 'link' | 'case' | 'client';
  ids: Record<string, string>;
  reason: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
}

/** An item that landed (or was already there): the runner's item history records it. */
export interface SucceededItem {
  key: string;
  step: StepId;
  outcome: 'written' | 'unchanged';
  ids?: Record<string, string>;
}

/** What a run hands to the next run: cursors and the items still to retry. */
export interface CarriedState {
  cursors: {
    /** Primero `last_updated_at` lower bound (ISO-8601 UTC). */
    primero?: string;
    /** OSCaR `since_date` (`YYYY-MM-DD HH:MM:SS`). */
    oscar?: string;
  };
  retries: FailedItem[];
  deadLetters: FailedItem[];
  /**
   * Writes OSCaR has already received (referrals, decisions, links), so that running a window again
   * never sends them twice: OSCaR itself cannot tell a re-sent referral from a new one
   * (docs/sync-rules.md, "Sent ledger"). Ids and statuses only.
   */
  sent?: SentRecord[];
  /**
   * Where an unfinished window resumes after a run stopped at its budget; absent when the last run
   * finished its windows. The cursors stay at the start of an unfinished window until it is done.
   */
  checkpoint?: Checkpoint;
  /**
   * OSCaR children upserted while OSCaR still hid their services (no link yet): the next runs
   * list them again until they are linked (src/sync/oscar-to-primero/awaiting-services.ts).
   */
  awaitingServices?: AwaitingServices[];
}

/** An OSCaR child whose services OSCaR lists only once the client has its Primero case id. */
export interface AwaitingServices {
  /** `f2-j2:link:<global_id>`. */
  key: string;
  globalId: string;
  organization: string;
  slug: string;
  /** The `since_date` of the window it was first upserted in: later listings start there. */
  since: string;
  /** Runs that upserted it without its link. */
  runs: number;
}

/** How far the runs got in windows a budget cut short (src/workflow/checkpoint.ts). */
export interface Checkpoint {
  primero?: {
    /** Referrals created since this instant are new: the start of the unfinished window. */
    windowStart: string;
    /** The first case not finished, by (`last_updated_at`, id): the listing resumes here. */
    resumeFrom: string;
    resumeFromId: string;
  };
  oscar?: {
    /** The `since_date` the unfinished window was listed with. */
    since: string;
    /** When the window was first listed (OSCaR time): the cursor once the window is done. */
    listedAt: string;
    /** Children (in global_id order) up to this global_id are done. */
    doneThrough: string;
  };
}

/** One write OSCaR has received: `key` names the item, `value` what was sent (a status, an id). */
export interface SentRecord {
  key: string;
  value: string;
  /** When it was sent (ISO-8601 UTC); old records are pruned. */
  at: string;
}

export interface StepCounts {
  fetched: number;
  written: number;
  unchanged: number;
  failed: number;
  skipped: number;
}

/** Outcomes of one kind of item in one step, e.g. `f1-j2:referral` (the first two parts of its key). */
export interface KindCounts {
  written: number;
  unchanged: number;
  failed: number;
}

/**
 * A referral sent to OSCaR that no NGO decision has answered for longer than the allowed days:
 * OSCaR may have declined it in a way no listing shows. Ids only.
 */
export interface OverdueReferral {
  /** Stable identity, `<step>:<kind>:<ids>`. */
  key: string;
  ids: Record<string, string>;
  /** The receiving organisation. */
  organisation: string;
  /** When it was sent (ISO-8601 UTC). */
  sentAt: string;
  daysWaiting: number;
}

export interface PlannedWrite {
  step: StepId;
  action: string;
  ids: Record<string, string>;
}

export interface RunSummary {
  ok: boolean;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  /** The window the run covered. */
  from: CarriedState['cursors'];
  to: CarriedState['cursors'];
  steps: Record<StepId, StepCounts>;
  /**
   * Outcomes per kind of item (`f1-j2:referral`, `f1-j2:decision`, `f1-j2:link`, `f2-j2:case`...);
   * absent in runs recorded before it existed.
   */
  kinds?: Record<string, KindCounts>;
  /** Items that failed in this run (retried next run unless dead-lettered). */
  failed: FailedItem[];
  /** Items that reached maxAttempts in this run. */
  deadLettered: FailedItem[];
  /**
   * Items written or found unchanged (ids only), for the runner's per-item history; the runner
   * moves them into that history and stores the summary without them.
   */
  succeeded?: SucceededItem[];
  /** With dryRun: what the run would have written. */
  planned: PlannedWrite[];
  /** Referrals waiting for a decision past the allowed days; absent in older runs. */
  overdueReferrals?: OverdueReferral[];
  /**
   * The run could not start (no cursor and no explicit start, or settings it cannot use): nothing
   * was attempted; `error` says why. Stored as `refused`, not `failed`.
   */
  refused?: boolean;
  /** When the run failed as a whole: the reason (scrubbed). */
  error?: string;
  /** When a step failed the run: which, and the system whose answer failed it (never read `error`
   * to find these). Absent in runs recorded before it existed. */
  failure?: RunFailure;
  /** Present when the run stopped at its budget: how far it got; the next run continues. */
  budget?: BudgetStop;
}

/** The step that failed a run and, when a system's answer (or none) failed it, that system. */
export interface RunFailure {
  step: StepId;
  system?: CredentialKind;
  /** That system refused the credentials at sign-in (a 401 to the sign-in request). */
  refusedSignIn?: boolean;
}

/** A run that stopped at its budget: done of total per direction, and the line the log shows. */
export interface BudgetStop {
  limit: 'time' | 'items';
  f1: { done: number; total: number };
  f2: { done: number; total: number };
  message: string;
}

/** How far one step is: reported when it starts, as its items are decided, and when it ends. */
export interface Progress {
  step: StepId;
  /** Items of this step decided so far (read, for the two read steps), whatever the outcome. */
  done: number;
  /** Items this step has to decide; 0 while not known yet (a read step before its listing). */
  total: number;
  /** Absent means running (older reporters); `done` once the step has ended. */
  phase?: 'running' | 'done';
  /** The step's counts so far (at `done`: its final counts). */
  counts?: StepCounts;
}

export interface RunWorkflowOptions {
  systems: SystemsConfig;
  /** The final carried state of the last successful run (undefined on the very first run). */
  carried?: CarriedState;
  /**
   * Explicit start (backfill), ISO-8601. Used for both systems' windows; it never moves a stored
   * cursor backwards: the next cursors are the later of the stored and the computed ones.
   */
  since?: string;
  dryRun?: boolean;
  settings?: Partial<SyncSettings>;
  /**
   * Report every item that landed in `summary.succeeded` (the local runner's per-item history).
   * Off by default: OpenFn.org keeps no such history, and the list would ride in every step output.
   */
  itemOutcomes?: boolean;
  onProgress?: (progress: Progress) => void;
  /** Where log lines go during the run (already free of child data). */
  logSink?: LogSink;
  /**
   * The durable store of the items that outlive a run, written item by item as they change: the
   * sent ledger (each record before its upsert leaves and once OSCaR confirmed it) and f2's
   * fingerprints (src/workflow/state-store.ts). The local runner gives its database. Given, the run
   * reads those items there by key, and `next` holds no ledger (it is in the store already).
   * Absent, they live in this process's memory for the run, seeded from `carried.sent`, and `next`
   * hands the ledger back.
   */
  store?: StateStore;
  /**
   * Without a `store`: called synchronously with each ledger record written (before its upsert
   * leaves, marked unconfirmed, and once OSCaR confirmed it) or removed. A caller that persists each
   * at once (cursors and retries untouched) keeps a process killed mid-run from sending those
   * referrals a second time: OSCaR cannot deduplicate them (docs/reliability.md).
   */
  onSentRecord?: (change: SentChange) => void;
}

export interface RunOutcome {
  summary: RunSummary;
  /** The state to carry into the next run. When the run failed, the input state unchanged. */
  next: CarriedState;
}
