// behaviour: a run that reaches its budget stops at a checkpoint, succeeds, and the next run
// continues: nothing skipped, nothing sent twice, deferred work never an attempt. OpenFn.org kills
// a run at WORKER_MAX_RUN_DURATION_SECONDS (300 s by default; OpenFn/lightning
// lib/lightning/config/bootstrap.ex reads it for the worker's run timeout) and keeps nothing of it.
// The budget is driven by item count here (maxRunItems), so no test depends on the clock; the
// time budget is the same checkpoints behind another limit (test/workflow/budget.test.ts).
import { describe, expect, it } from 'vitest';
import { startSystems } from '../e2e/helpers.ts';
import type { CarriedState } from '../../src/workflow/contract.ts';
import {
  BUDGET_START,
  budgetSeeds,
  everyChildOnce,
  expectedReferrals,
  globalIdOf,
  oscarReferralsOf,
  primeroCasesPerChild,
} from './budget-world.ts';
import type { RunResult } from './budget-world.ts';
import { digest, expectNoLeaks, runUntilQuiet, runWith, seen } from './harness.ts';

const MAX_ITEMS = 6;

/**
 * The budget world's systems. The runs here follow each other within seconds where real ones are
 * an hour apart, and the Primero emulator throttles token sign-ins to 7 a minute per user
 * (demo/primero/auth.ts), so these runs use HTTP Basic, which needs no sign-in.
 */
async function budgetSystems() {
  const systems = await startSystems(budgetSeeds());
  systems.systems.primero = { ...systems.systems.primero, basicAuth: true };
  return systems;
}

const writes = (run: RunResult) =>
  Object.values(run.summary.steps).reduce((sum, step) => sum + step.written, 0);

/** Runs with the item budget until a run finishes its windows and writes nothing. */
async function runsUntilDone(
  systems: Awaited<ReturnType<typeof budgetSystems>>,
  maxRunItems = MAX_ITEMS,
) {
  const runs: RunResult[] = [];
  let carried: CarriedState | undefined;
  for (let n = 0; n < 20; n += 1) {
    const run = await runWith(systems, carried, { settings: { maxRunItems } });
    runs.push(run);
    expect(run.summary.error).toBeUndefined();
    carried = run.next;
    if (!run.next.checkpoint && writes(run) === 0) return runs;
  }
  throw new Error(`the window was not done after 20 runs`);
}

/** An NGO edits a child in OSCaR (the emulator's admin edit stamps updated_at now). */
async function ngoEdits(
  systems: Awaited<ReturnType<typeof budgetSystems>>,
  globalId: string,
  updatedAt: string,
) {
  const response = await fetch(`${systems.oscar.url}/__emulator/oscar/clients/${globalId}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mosvy_number: 'MOSVY-EDITED-7', updated_at: updatedAt }),
  });
  expect(response.status).toBe(200);
}

describe('a window bigger than one run’s budget', () => {
  // 6: one referral read and two upserts a run; 8: two reads for two upserts, so the child with
  // two referrals leaves one to the next run in f1-j2 itself.
  it.each([6, 8])(
    'lands over several runs at %i items a run: every referral once in OSCaR, every child once in Primero',
    async (maxRunItems) => {
      const systems = await budgetSystems();
      const reference = await budgetSystems();
      try {
        const runs = await runsUntilDone(systems, maxRunItems);
        if (maxRunItems === 8)
          expect(
            runs.some((run) => run.logs.some((line) => /f1-j2: budget spent/.test(line))),
          ).toBe(true);
        expect(runs.length).toBeGreaterThanOrEqual(3);
        expect(oscarReferralsOf(systems)).toEqual(expectedReferrals());
        expect(primeroCasesPerChild(systems)).toEqual(everyChildOnce());
        // The same records as runs without a budget.
        await runUntilQuiet(reference, undefined, {}, 6);
        expect(digest(systems)).toEqual(digest(reference));
        expectNoLeaks(seen);
      } finally {
        await Promise.all([systems.close(), reference.close()]);
      }
    },
    120_000,
  );

  it('stops as a success with a summary and a log line; deferred work is never a retry or a dead letter', async () => {
    const systems = await budgetSystems();
    try {
      const runs = await runsUntilDone(systems);
      const first = runs[0]!;
      expect(first.summary.ok).toBe(true);
      expect(first.summary.budget?.message).toMatch(
        /^Stopped at the item budget \(6 items\) after \d+ of 10 Primero cases and \d+ of 10 OSCaR children; the next run continues$/,
      );
      expect(first.logs).toContain(`info: ${first.summary.budget!.message}`);
      for (const run of runs) {
        expect(run.summary.failed).toEqual([]);
        expect(run.next.retries).toEqual([]);
        expect(run.next.deadLetters).toEqual([]);
      }
      expect(runs.at(-1)!.summary.budget).toBeUndefined();
    } finally {
      await systems.close();
    }
  }, 120_000);

  it('starts no more than its budget in a run, and gives OSCaR -> Primero its share from the first run', async () => {
    const systems = await budgetSystems();
    try {
      const runs = await runsUntilDone(systems);
      for (const run of runs) {
        const upserts = run.summary.kinds?.['f1-j2:referral']?.written ?? 0;
        const f2 = run.summary.steps['f2-j2'];
        expect(upserts + f2.written + f2.unchanged + f2.failed).toBeLessThanOrEqual(MAX_ITEMS);
      }
      // f1 has more work than the whole budget, yet f2 moved in the first run.
      const first = runs[0]!.summary;
      expect(first.budget!.f1.done).toBeLessThan(first.budget!.f1.total);
      const f2 = first.steps['f2-j2'];
      expect(f2.written + f2.unchanged + f2.failed).toBeGreaterThanOrEqual(MAX_ITEMS / 2);
    } finally {
      await systems.close();
    }
  }, 120_000);

  it('lists again a child the NGO changed after it was done in an unfinished window', async () => {
    const systems = await budgetSystems();
    try {
      const first = await runWith(systems, undefined, { settings: { maxRunItems: MAX_ITEMS } });
      // Child 2 (listed by time) is done, and the window is not.
      expect(first.next.checkpoint?.oscar?.doneThrough! >= globalIdOf(2)).toBe(true);
      // The edit lands in the second the window was first listed (OSCaR times have seconds), and
      // the runs that finish the window start later: only a cursor moved to when the window was
      // first listed, not to when it was finished, lists the child again. The pause only makes a
      // wrong cursor visible; with the right one the outcome is the same however long runs take.
      const listedAt = first.next.checkpoint!.oscar!.listedAt;
      await ngoEdits(systems, globalIdOf(2), `${listedAt.replace(' ', 'T')}.000Z`);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      let carried = first.next;
      for (let n = 0; n < 20 && (carried.checkpoint || n < 2); n += 1)
        carried = (await runWith(systems, carried, { settings: { maxRunItems: MAX_ITEMS } })).next;
      const state = systems.primero.state() as { cases: Array<Record<string, any>> };
      const child = state.cases.find((record) => record.oscar_number === globalIdOf(2));
      expect(child?.mosvy_number).toBe('MOSVY-EDITED-7');
    } finally {
      await systems.close();
    }
  }, 120_000);

  it('keeps each cursor at its unfinished window’s start until the window is done', async () => {
    const systems = await budgetSystems();
    try {
      const runs = await runsUntilDone(systems);
      const oscarStart = runs[0]!.summary.from.oscar;
      let primeroDone = false;
      let oscarDone = false;
      for (const run of runs) {
        const checkpoint = run.next.checkpoint;
        if (checkpoint?.primero) {
          expect(primeroDone).toBe(false);
          expect(run.next.cursors.primero).toBe(BUDGET_START);
          expect(checkpoint.primero.windowStart).toBe(BUDGET_START);
        } else primeroDone = true;
        if (checkpoint?.oscar) {
          // Once done, a window opens again only to list the children whose services OSCaR hid
          // until their link (docs/sync-rules-oscar-to-primero.md): the cursor never goes back.
          if (oscarDone) expect(run.next.cursors.oscar! > oscarStart!).toBe(true);
          else expect(run.next.cursors.oscar).toBe(oscarStart);
        } else oscarDone = true;
      }
      expect(runs.some((run) => run.next.checkpoint?.primero)).toBe(true);
      expect(runs.some((run) => run.next.checkpoint?.oscar)).toBe(true);
      // Once the window is done the cursors move on: the next run lists nothing old again.
      const last = runs.at(-1)!.next.cursors;
      expect(Date.parse(last.primero!)).toBeGreaterThan(Date.parse(BUDGET_START));
      expect(last.oscar! > oscarStart!).toBe(true);
    } finally {
      await systems.close();
    }
  }, 120_000);
});
