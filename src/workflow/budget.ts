// The run's budget: OpenFn.org kills a run that outlives WORKER_MAX_RUN_DURATION_SECONDS (300 s by
// default, compile included) and keeps nothing it did, so a run checks its budget before each unit
// of work and, once it is spent, starts no more: what is left is deferred to the next run, which
// continues from the checkpoint (src/workflow/checkpoint.ts). Deferred work is never an attempt: it
// does not count towards retries or dead letters.
//
// The budget is shared by the four steps in phases, so that no direction starves the other:
// reading Primero referrals (f1-j1) may use the first quarter, writing to OSCaR (f1-j2) up to half,
// and OSCaR -> Primero (f2-j2) the rest, at least half and more when f1 finished early. The last
// 5 % (at most 15 s) is kept for work in flight and closing the run. Every phase starts at least
// one unit per run, so a window always moves forward however small the budget.
// Pure apart from the clock, which tests replace.
import type { SyncSettings } from './contract.ts';
import type { Report } from './outcomes.ts';
import type { RunContext } from './state.ts';

/** The units of work a budget counts: a case's referral read, an OSCaR upsert, an OSCaR child. */
export type BudgetPhase = 'f1-read' | 'f1-write' | 'f2';

/** The default on OpenFn.org: 60 s under the platform's 300 s, for compile and work in flight. */
export const OPENFN_MAX_RUN_SECONDS = 240;

/** Share of the time budget each phase may start work until (fraction of the whole). */
const TIME_SHARE: Record<BudgetPhase, number> = { 'f1-read': 0.25, 'f1-write': 0.5, f2: 1 };

/**
 * The end of the budget kept for the work in flight to finish and the run to close (the last step's
 * writes, the summary, the store): 5 % of it, at most 15 s. No unit starts in it.
 */
export function closingReserveMs(maxRunSeconds: number): number {
  return Math.min(maxRunSeconds * 1000 * 0.05, 15_000);
}

/** How far this run got, travelling in the report from step to step. */
export interface BudgetProgress {
  /** Units started per phase. */
  used: Record<BudgetPhase, number>;
  /** Phases refused once: they stay refused for the rest of the run. */
  spent: BudgetPhase[];
  f1: {
    /** Cases (refetched for retry + listed in the window) this run had to look at. */
    total: number;
    /** Of those, cases whose work was deferred. */
    deferred: number;
    /** The first deferred case of the window, by (`last_updated_at`, id). */
    resume?: { at: string; id: string };
    /** Where referrals count as new in this window (kept while the window is unfinished). */
    windowStart?: string;
  };
  f2: {
    total: number;
    deferred: number;
    /** The `since_date` the window was listed with, and when it was first listed. */
    since?: string;
    listedAt?: string;
    /** Children up to this global_id (in order) are done. */
    doneThrough?: string;
  };
}

export function progressOf(report: Report): BudgetProgress {
  report.budget ??= {
    used: { 'f1-read': 0, 'f1-write': 0, f2: 0 },
    spent: [],
    f1: { total: 0, deferred: 0 },
    f2: { total: 0, deferred: 0 },
  };
  return report.budget;
}

/** Whether the settings limit the run at all, and how. */
export function budgetLimit(
  settings: Pick<SyncSettings, 'maxRunSeconds' | 'maxRunItems'>,
): 'time' | 'items' | undefined {
  if (settings.maxRunItems !== undefined) return 'items';
  return settings.maxRunSeconds !== undefined ? 'time' : undefined;
}

/** Why a budget setting cannot be used, or undefined when it can. */
export function budgetProblem(
  settings: Pick<SyncSettings, 'maxRunSeconds' | 'maxRunItems'>,
): string | undefined {
  for (const [name, value] of [
    ['maxRunSeconds', settings.maxRunSeconds],
    ['maxRunItems', settings.maxRunItems],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1))
      return `${name} must be a whole number >= 1, got ${String(value)}`;
  }
  return undefined;
}

/** The most units `phase` may start under an item budget, given what the earlier phases used. */
function itemLimit(max: number, phase: BudgetPhase, used: BudgetProgress['used']): number {
  const f1 = Math.ceil(max / 2);
  if (phase === 'f1-read') return Math.floor(f1 / 2);
  if (phase === 'f1-write') return f1 - used['f1-read'];
  return max - used['f1-read'] - used['f1-write'];
}

export interface RunBudget {
  /**
   * Called before a unit of work starts: true to go ahead (the unit is counted), false when the
   * phase's share is spent and the unit must be deferred to the next run.
   */
  take(phase: BudgetPhase): boolean;
}

/** The budget of the run `run`, keeping its count in `report` (it travels with the state). */
export function budgetOf(
  run: Pick<RunContext, 'settings' | 'startedAt'>,
  report: Report,
  now: () => number = Date.now,
): RunBudget {
  const progress = progressOf(report);
  const { maxRunSeconds, maxRunItems } = run.settings;
  const limit = budgetLimit(run.settings);
  const startedAt = Date.parse(run.startedAt);
  const withinShare = (phase: BudgetPhase): boolean => {
    if (limit === 'items')
      return progress.used[phase] < itemLimit(maxRunItems!, phase, progress.used);
    if (limit === 'time') {
      const budgetMs = maxRunSeconds! * 1000 - closingReserveMs(maxRunSeconds!);
      return now() < startedAt + budgetMs * TIME_SHARE[phase];
    }
    return true;
  };
  return {
    take(phase) {
      if (progress.spent.includes(phase)) return false;
      // The first unit of a phase always goes: a window must move forward in every run.
      if (progress.used[phase] > 0 && !withinShare(phase)) {
        progress.spent.push(phase);
        return false;
      }
      progress.used[phase] += 1;
      return true;
    },
  };
}
