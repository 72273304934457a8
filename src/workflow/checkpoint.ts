// Checkpoints: where a window a budget cut short resumes. While a window is unfinished the cursors
// stay at its start, so nothing deferred can ever be behind a cursor; the checkpoint (a plain field
// of the carried state) says how far in the window the runs got, so the next run neither skips nor
// redoes it. Work done twice at the edge is recognised (sent ledger, "unchanged"), never re-sent.
import type { BudgetStop, CarriedState, Checkpoint } from './contract.ts';
import { budgetLimit } from './budget.ts';
import type { BudgetProgress } from './budget.ts';
import { laterCursor } from './cursors.ts';
import { NO_START_MESSAGE, instantMs } from '../time.ts';
import type { RunContext } from './state.ts';
import { primeroListingStart } from './primero-reread.ts';

/** A Primero case's place in the order f1 works through a window. */
export interface CaseKey {
  at: string;
  id: string;
}

/** Orders cases by (`last_updated_at`, id): the order f1 finishes them in, and resumes by. */
export function compareCaseKeys(a: CaseKey, b: CaseKey): number {
  const at = (Date.parse(a.at) || 0) - (Date.parse(b.at) || 0);
  return at !== 0 ? at : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface PrimeroWindow {
  /** `last_updated_at` lower bound of the listing. */
  listFrom: string;
  /** Referrals created since this instant are new (the unfinished window's own start). */
  selectFrom: string;
  /** Cases before this key are done already (the resumed part of an unfinished window). */
  resumeAt?: CaseKey;
}

const earlier = (a: string, b: string) => (instantMs(a) <= instantMs(b) ? a : b);

/**
 * The Primero window of this run: the operator's start or the cursor, resumed at the checkpoint
 * when the last run stopped at its budget. An explicit start earlier than the checkpoint runs the
 * whole of it again (a backfill); one later still covers what the checkpoint left.
 */
export function primeroWindow(run: Pick<RunContext, 'since' | 'carried'>): PrimeroWindow {
  const start = run.since ?? run.carried.cursors.primero;
  // runWorkflow refuses to start without one; this guards a step run on its own.
  if (!start) throw new Error(NO_START_MESSAGE);
  const checkpoint = run.carried.checkpoint?.primero;
  if (!checkpoint) {
    // A fresh window from the stored cursor starts a margin earlier (late commits); an operator's
    // explicit start is taken as given.
    const from = primeroListingStart(start, run.since === undefined);
    return { listFrom: from, selectFrom: from };
  }
  if (run.since !== undefined)
    return {
      listFrom: earlier(run.since, checkpoint.resumeFrom),
      selectFrom: earlier(run.since, checkpoint.windowStart),
    };
  return {
    listFrom: checkpoint.resumeFrom,
    selectFrom: checkpoint.windowStart,
    resumeAt: { at: checkpoint.resumeFrom, id: checkpoint.resumeFromId },
  };
}

/** The OSCaR checkpoint this run resumes from, or none (an explicit start redoes the window). */
export function oscarResume(
  run: Pick<RunContext, 'since' | 'carried'>,
): Checkpoint['oscar'] | undefined {
  return run.since === undefined ? run.carried.checkpoint?.oscar : undefined;
}

/**
 * The carried state of a successful run that stopped at its budget: per direction with deferred
 * work, the cursor stays at the window's start and the checkpoint records where to resume; a
 * direction whose window is done drops its checkpoint.
 */
export function withCheckpoint(
  next: CarriedState,
  carried: CarriedState,
  progress: BudgetProgress | undefined,
  from: CarriedState['cursors'],
): CarriedState {
  // No step looked at the budget (a step run on its own): the checkpoint stays as it was.
  if (!progress) return carried.checkpoint ? { ...next, checkpoint: carried.checkpoint } : next;
  const checkpoint: Checkpoint = {};
  const cursors = { ...next.cursors };
  const { f1, f2 } = progress;
  const resumed = carried.checkpoint?.primero;
  if (!f1.resume && resumed && f1.windowStart) {
    // The resumed window is done: everything before its resume point was done earlier, so the
    // cursor moves at least there, even when the listing from it came back empty.
    const done = laterCursor(cursors.primero, resumed.resumeFrom);
    if (done) cursors.primero = done;
  }
  if (f1.resume && f1.windowStart) {
    const stay = carried.cursors.primero ?? from.primero;
    if (stay) cursors.primero = stay;
    checkpoint.primero = {
      windowStart: f1.windowStart,
      resumeFrom: f1.resume.at,
      resumeFromId: f1.resume.id,
    };
  }
  if (f2.deferred > 0 && f2.since && f2.listedAt) {
    const stay = carried.cursors.oscar ?? from.oscar;
    if (stay) cursors.oscar = stay;
    checkpoint.oscar = {
      since: f2.since,
      listedAt: f2.listedAt,
      doneThrough: f2.doneThrough ?? '',
    };
  }
  const { checkpoint: _done, ...rest } = next;
  return {
    ...rest,
    cursors,
    ...(checkpoint.primero || checkpoint.oscar ? { checkpoint } : {}),
  };
}

/** What the summary and the log say of a run that stopped at its budget; undefined otherwise. */
export function budgetStop(
  progress: BudgetProgress | undefined,
  settings: RunContext['settings'],
): BudgetStop | undefined {
  const limit = budgetLimit(settings);
  if (!progress || !limit || (progress.f1.deferred === 0 && progress.f2.deferred === 0))
    return undefined;
  const f1 = { done: progress.f1.total - progress.f1.deferred, total: progress.f1.total };
  const f2 = { done: progress.f2.total - progress.f2.deferred, total: progress.f2.total };
  const what =
    limit === 'time'
      ? `the time budget (${settings.maxRunSeconds} s)`
      : `the item budget (${settings.maxRunItems} items)`;
  return {
    limit,
    f1,
    f2,
    message:
      `Stopped at ${what} after ${f1.done} of ${f1.total} Primero cases and ${f2.done} of ` +
      `${f2.total} OSCaR children; the next run continues`,
  };
}
