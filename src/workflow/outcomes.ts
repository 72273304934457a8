// Per-item outcomes and retry bookkeeping shared by the four steps. A step reports every item it
// attempted; the run's next carried state is derived from these reports alone.
import type {
  CarriedState,
  KindCounts,
  FailedItem,
  OverdueReferral,
  PlannedWrite,
  StepCounts,
  StepId,
  SucceededItem,
  SyncSettings,
} from './contract.ts';
import { STEP_IDS } from './contract.ts';
import type { BudgetProgress } from './budget.ts';
import { itemRecorded } from './item-progress.ts';
import { itemSucceeded } from './item-outcomes.ts';

export interface Report {
  steps: Record<StepId, StepCounts>;
  kinds: Record<string, KindCounts>;
  /** Items that failed in this run, attempts already counted. */
  failed: FailedItem[];
  /** Keys of every item attempted in this run, whatever the outcome. */
  attempted: string[];
  /**
   * Items written or found unchanged, with their ids when the step gave them (item history):
   * collected beside the run while the steps run (item-outcomes.ts), never in a step's state, and
   * put here by runWorkflow for the summary when the runner asked for item outcomes
   * (RunWorkflowOptions.itemOutcomes).
   */
  succeeded?: SucceededItem[];
  planned: PlannedWrite[];
  /** Set by the step that knows what awaits a decision (f1-j2). */
  overdueReferrals?: OverdueReferral[];
  /** How far the run got against its budget (src/workflow/budget.ts); absent until a step checks it. */
  budget?: BudgetProgress;
}

export function emptyReport(): Report {
  const steps = {} as Record<StepId, StepCounts>;
  for (const id of STEP_IDS)
    steps[id] = { fetched: 0, written: 0, unchanged: 0, failed: 0, skipped: 0 };
  return { steps, kinds: {}, failed: [], attempted: [], planned: [] };
}

/** `f1-j2:referral:<ids>` -> `f1-j2:referral`: keys name their step and kind first. */
export function kindOfKey(key: string): string {
  return key.split(':').slice(0, 2).join(':');
}

function countKind(report: Report, key: string, outcome: keyof KindCounts): void {
  const kind = kindOfKey(key);
  const counts = (report.kinds[kind] ??= { written: 0, unchanged: 0, failed: 0 });
  counts[outcome] += 1;
}

export type FailureInput = Pick<FailedItem, 'key' | 'step' | 'kind' | 'ids' | 'reason'>;

export function recordFetched(report: Report, step: StepId, count: number): void {
  report.steps[step].fetched += count;
  itemRecorded(step, report.steps[step]);
}

export function recordSkipped(report: Report, step: StepId, count = 1): void {
  report.steps[step].skipped += count;
  itemRecorded(step, report.steps[step]);
}

export function recordWritten(
  report: Report,
  step: StepId,
  key: string,
  ids?: Record<string, string>,
): void {
  report.steps[step].written += 1;
  countKind(report, key, 'written');
  report.attempted.push(key);
  itemSucceeded({ key, step, outcome: 'written', ...(ids ? { ids } : {}) });
  itemRecorded(step, report.steps[step]);
}

export function recordUnchanged(
  report: Report,
  step: StepId,
  key: string,
  ids?: Record<string, string>,
): void {
  report.steps[step].unchanged += 1;
  countKind(report, key, 'unchanged');
  report.attempted.push(key);
  itemSucceeded({ key, step, outcome: 'unchanged', ...(ids ? { ids } : {}) });
  itemRecorded(step, report.steps[step]);
}

/** Records a failed item, counting this attempt on top of the ones carried from earlier runs. */
export function recordFailure(
  report: Report,
  carried: CarriedState,
  failure: FailureInput,
  now: string,
  options: {
    /** Counts the item as at least this many attempts: `maxAttempts` dead-letters it at once. */
    atLeastAttempts?: number;
  } = {},
): FailedItem {
  // An open dead letter met again (a backfill, another item's retry) goes on counting as itself.
  const earlier =
    carried.retries.find((item) => item.key === failure.key) ??
    carried.deadLetters.find((item) => item.key === failure.key);
  const item: FailedItem = {
    ...failure,
    attempts: Math.max((earlier?.attempts ?? 0) + 1, options.atLeastAttempts ?? 0),
    firstFailedAt: earlier?.firstFailedAt ?? now,
    lastFailedAt: now,
  };
  report.steps[failure.step].failed += 1;
  countKind(report, failure.key, 'failed');
  report.attempted.push(failure.key);
  report.failed.push(item);
  itemRecorded(failure.step, report.steps[failure.step]);
  return item;
}

export function recordPlanned(report: Report, write: PlannedWrite): void {
  report.planned.push(write);
}

/**
 * The retry list after a successful run: items not attempted this run are carried unchanged
 * (never dropped), items that succeeded leave the list, items that failed again stay until they
 * reach `maxAttempts` and become dead letters. One lifecycle per item: an open dead letter that
 * fails again stays a dead letter (latest reason and count), never re-enters the retry list, and
 * is not reported as newly dead-lettered; no item is ever both queued and dead.
 */
export function nextRetryState(
  carried: CarriedState,
  report: Report,
  settings: Pick<SyncSettings, 'maxAttempts'>,
): { retries: FailedItem[]; deadLetters: FailedItem[]; deadLettered: FailedItem[] } {
  const attempted = new Set(report.attempted);
  const open = new Set(carried.deadLetters.map((item) => item.key));
  // `open`: also heals stores where an earlier lifecycle left an item both queued and dead.
  const untouched = carried.retries.filter(
    (item) => !attempted.has(item.key) && !open.has(item.key),
  );
  const failedByKey = new Map(report.failed.map((item) => [item.key, item]));
  const failed = [...failedByKey.values()];
  const stillDead = failed.filter((item) => open.has(item.key));
  const fresh = failed.filter((item) => !open.has(item.key));
  const deadLettered = fresh.filter((item) => item.attempts >= settings.maxAttempts);
  const stillRetrying = fresh.filter((item) => item.attempts < settings.maxAttempts);
  const replaced = new Set([...deadLettered, ...stillDead].map((item) => item.key));
  return {
    retries: [...untouched, ...stillRetrying],
    deadLetters: [
      ...carried.deadLetters.filter((item) => !replaced.has(item.key)),
      ...stillDead,
      ...deadLettered,
    ],
    deadLettered,
  };
}
