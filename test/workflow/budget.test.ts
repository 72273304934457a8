// behaviour: the run's budget (src/workflow/budget.ts) and its checkpoints
// (src/workflow/checkpoint.ts), with the clock in the test's hands: no test waits for time to pass.
import { describe, expect, it } from 'vitest';
import { memoryStateStore, useStateStoreFactory } from '../../src/workflow/state-store.ts';
import { readConfig } from '../../src/config/env.ts';
import { startRun } from '../../src/openfn/lightning-run.ts';
import {
  OPENFN_MAX_RUN_SECONDS,
  budgetOf,
  closingReserveMs,
  progressOf,
} from '../../src/workflow/budget.ts';
import type { BudgetPhase } from '../../src/workflow/budget.ts';
import { primeroWindow, withCheckpoint } from '../../src/workflow/checkpoint.ts';
import { openRun } from '../../src/workflow/lifecycle.ts';
import { emptyReport } from '../../src/workflow/outcomes.ts';
import { DEFAULT_SETTINGS } from '../../src/workflow/lifecycle.ts';

const STARTED = '2026-01-05T10:00:00.000Z';
const T0 = Date.parse(STARTED);

/** A budget whose clock reads `clock.ms` since the run started. */
function timeBudget(maxRunSeconds: number) {
  const clock = { ms: 0 };
  const report = emptyReport();
  const budget = budgetOf(
    { startedAt: STARTED, settings: { ...DEFAULT_SETTINGS, maxRunSeconds } },
    report,
    () => T0 + clock.ms,
  );
  return { clock, budget, report };
}

const takes = (budget: ReturnType<typeof budgetOf>, phase: BudgetPhase, n: number) =>
  Array.from({ length: n }, () => budget.take(phase)).filter(Boolean).length;

describe('the time budget', () => {
  it('lets f1 read for the first quarter, write until half, and OSCaR -> Primero use the rest', () => {
    // 240 s less the closing reserve (5 %, 12 s): 228 s to start work in.
    expect(closingReserveMs(240)).toBe(12_000);
    const { clock, budget } = timeBudget(240);
    clock.ms = 56_999;
    expect(takes(budget, 'f1-read', 3)).toBe(3);
    clock.ms = 57_000;
    expect(budget.take('f1-read')).toBe(false);
    clock.ms = 113_999;
    expect(takes(budget, 'f1-write', 3)).toBe(3);
    clock.ms = 114_000;
    expect(budget.take('f1-write')).toBe(false);
    clock.ms = 227_999;
    expect(takes(budget, 'f2', 3)).toBe(3);
    clock.ms = 228_000;
    expect(budget.take('f2')).toBe(false);
  });

  it('keeps at most 15 s for closing a long budget', () => {
    expect(closingReserveMs(3600)).toBe(15_000);
    const { clock, budget } = timeBudget(3600);
    expect(budget.take('f2')).toBe(true);
    clock.ms = 3_584_999;
    expect(budget.take('f2')).toBe(true);
    clock.ms = 3_585_000;
    expect(budget.take('f2')).toBe(false);
  });

  it('gives OSCaR -> Primero what f1 left when f1 finished early', () => {
    const { clock, budget } = timeBudget(240);
    clock.ms = 5_000;
    expect(takes(budget, 'f1-read', 2) + takes(budget, 'f1-write', 2)).toBe(4);
    clock.ms = 220_000;
    expect(budget.take('f2')).toBe(true);
  });

  it('starts one unit of every phase however late, so a window always moves forward', () => {
    const { clock, budget } = timeBudget(10);
    clock.ms = 60_000;
    expect(budget.take('f1-read')).toBe(true);
    expect(budget.take('f1-write')).toBe(true);
    expect(budget.take('f2')).toBe(true);
    expect(budget.take('f2')).toBe(false);
  });

  it('stays spent once refused, and keeps its count in the report that travels between steps', () => {
    const { clock, budget, report } = timeBudget(100);
    expect(budget.take('f2')).toBe(true);
    clock.ms = 100_000;
    expect(budget.take('f2')).toBe(false);
    clock.ms = 0; // a clock that steps back (NTP) must not reopen a spent phase
    expect(budget.take('f2')).toBe(false);
    const nextStep = budgetOf(
      { startedAt: STARTED, settings: { ...DEFAULT_SETTINGS, maxRunSeconds: 100 } },
      structuredClone(report),
      () => T0,
    );
    expect(nextStep.take('f2')).toBe(false);
  });

  it('never refuses when no budget is set', () => {
    const report = emptyReport();
    const budget = budgetOf({ startedAt: STARTED, settings: DEFAULT_SETTINGS }, report, () => 1e15);
    expect(takes(budget, 'f2', 1000)).toBe(1000);
  });
});

describe('the item budget', () => {
  it('splits N items: a quarter to read, f1 up to half, OSCaR -> Primero the rest', () => {
    const report = emptyReport();
    const settings = { ...DEFAULT_SETTINGS, maxRunItems: 8 };
    const budget = budgetOf({ startedAt: STARTED, settings }, report);
    expect(takes(budget, 'f1-read', 10)).toBe(2);
    expect(takes(budget, 'f1-write', 10)).toBe(2);
    expect(takes(budget, 'f2', 10)).toBe(4);
    expect(progressOf(report).used).toEqual({ 'f1-read': 2, 'f1-write': 2, f2: 4 });
  });

  it('hands f1’s unused share on to OSCaR -> Primero', () => {
    const budget = budgetOf(
      { startedAt: STARTED, settings: { ...DEFAULT_SETTINGS, maxRunItems: 8 } },
      emptyReport(),
    );
    expect(takes(budget, 'f1-read', 1)).toBe(1);
    expect(takes(budget, 'f2', 10)).toBe(7);
  });
});

describe('budget settings', () => {
  it('are read from INTEROP_MAX_RUN_SECONDS and INTEROP_MAX_RUN_ITEMS; locally there is no default', () => {
    expect(readConfig({}).settings.maxRunSeconds).toBeUndefined();
    const config = readConfig({ INTEROP_MAX_RUN_SECONDS: '240', INTEROP_MAX_RUN_ITEMS: '500' });
    expect(config.settings).toMatchObject({ maxRunSeconds: 240, maxRunItems: 500 });
    expect(() => readConfig({ INTEROP_MAX_RUN_SECONDS: '4m' })).toThrow(
      'INTEROP_MAX_RUN_SECONDS must be a whole number >= 1',
    );
  });

  it('default to 240 s on OpenFn.org, and custom input settings replace it', async () => {
    useStateStoreFactory(() => memoryStateStore());
    const cron = await startRun({
      carried: { cursors: { primero: STARTED, oscar: '2026-01-05 10:00:00' } },
    });
    expect(cron.run.settings.maxRunSeconds).toBe(OPENFN_MAX_RUN_SECONDS);
    expect(OPENFN_MAX_RUN_SECONDS).toBeLessThan(300);
    const byHand = await startRun({ since: STARTED, settings: { maxRunSeconds: 120 } });
    expect(byHand.run.settings.maxRunSeconds).toBe(120);
  });

  it('that cannot be used stop the run before it starts, saying why', () => {
    const opened = openRun({ since: STARTED, startedAt: STARTED, settings: { maxRunSeconds: 0 } });
    expect(opened.ok).toBe(false);
    expect(!opened.ok && opened.error).toBe(
      'The run cannot start: maxRunSeconds must be a whole number >= 1, got 0',
    );
  });
});

describe('checkpoints', () => {
  it('move the Primero cursor at least to the resume point once a resumed window is done', () => {
    const resumedFrom = {
      cursors: { primero: '2026-01-01T00:00:00.000Z', oscar: '2026-01-01 00:00:00' },
      retries: [],
      deadLetters: [],
      checkpoint: {
        primero: {
          windowStart: '2026-01-01T00:00:00.000Z',
          resumeFrom: '2026-01-03T00:00:00.000Z',
          resumeFromId: 'case-7',
        },
      },
    };
    const report = emptyReport();
    progressOf(report).f1 = { total: 0, deferred: 0, windowStart: '2026-01-01T00:00:00.000Z' };
    // The listing from the resume point came back empty: no candidate beyond the stored cursor.
    const next = withCheckpoint(
      { cursors: resumedFrom.cursors, retries: [], deadLetters: [] },
      resumedFrom,
      report.budget,
      resumedFrom.cursors,
    );
    expect(next.cursors.primero).toBe('2026-01-03T00:00:00.000Z');
    expect(next.checkpoint).toBeUndefined();
  });

  const carried = {
    cursors: { primero: '2026-01-01T00:00:00.000Z', oscar: '2026-01-01 00:00:00' },
    retries: [],
    deadLetters: [],
  };

  it('resume the Primero listing at the first unfinished case, and count referrals from the window’s start', () => {
    const checkpoint = {
      primero: {
        windowStart: '2026-01-01T00:00:00.000Z',
        resumeFrom: '2026-01-03T00:00:00.000Z',
        resumeFromId: 'case-7',
      },
    };
    expect(primeroWindow({ carried: { ...carried, checkpoint } })).toEqual({
      listFrom: '2026-01-03T00:00:00.000Z',
      selectFrom: '2026-01-01T00:00:00.000Z',
      resumeAt: { at: '2026-01-03T00:00:00.000Z', id: 'case-7' },
    });
    // A backfill from before the checkpoint redoes the whole of it.
    expect(
      primeroWindow({ since: '2025-12-01T00:00:00.000Z', carried: { ...carried, checkpoint } }),
    ).toEqual({ listFrom: '2025-12-01T00:00:00.000Z', selectFrom: '2025-12-01T00:00:00.000Z' });
  });

  it('hold the cursor of a direction with deferred work, and drop once its window is done', () => {
    const report = emptyReport();
    const progress = progressOf(report);
    progress.f1 = {
      total: 10,
      deferred: 4,
      resume: { at: '2026-01-03T00:00:00.000Z', id: 'case-7' },
      windowStart: '2026-01-01T00:00:00.000Z',
    };
    progress.f2 = {
      total: 5,
      deferred: 0,
      since: '2026-01-01 00:00:00',
      listedAt: '2026-01-05 10:00:00',
    };
    const moved = {
      cursors: { primero: '2026-01-04T00:00:00.000Z', oscar: '2026-01-05 10:00:00' },
      retries: [],
      deadLetters: [],
    };
    const next = withCheckpoint(moved, carried, report.budget, carried.cursors);
    expect(next.cursors).toEqual({
      primero: carried.cursors.primero,
      oscar: '2026-01-05 10:00:00',
    });
    expect(next.checkpoint).toEqual({
      primero: {
        windowStart: '2026-01-01T00:00:00.000Z',
        resumeFrom: '2026-01-03T00:00:00.000Z',
        resumeFromId: 'case-7',
      },
    });
  });
});
