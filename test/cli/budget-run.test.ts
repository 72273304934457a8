// behaviour: `npx interop run` with INTEROP_MAX_RUN_ITEMS stops each run at its budget, exits 0,
// says so, and the SQLite store carries the checkpoint into the next `npx interop run`, until every
// record of the window has landed exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystems, systemsEnv } from '../e2e/helpers.ts';
import type { Systems } from '../e2e/helpers.ts';
import {
  BUDGET_START,
  budgetSeeds,
  everyChildOnce,
  expectedReferrals,
  oscarReferralsOf,
  primeroCasesPerChild,
} from '../reliability/budget-world.ts';
import { interop } from './interop-cli.ts';

let home: string;
let systems: Systems;
let env: Record<string, string>;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'interop-budget-'));
  systems = await startSystems(budgetSeeds());
  env = {
    INTEROP_HOME: join(home, '.interop'),
    ...systemsEnv(systems),
    INTEROP_MAX_RUN_ITEMS: '16',
  };
});

afterAll(async () => {
  await systems?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('npx interop run with a budget', () => {
  it('continues run after run from the stored checkpoint until the window has landed once', async () => {
    const first = await interop(['run', '--since', BUDGET_START], { cwd: home, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /Stopped at the item budget \(16 items\) after \d+ of \d+ Primero cases and \d+ of \d+ OSCaR children; the next run continues/,
    );
    const status = JSON.parse((await interop(['status', '--json'], { cwd: home, env })).stdout);
    // The cursor stays at the window's start while the window is unfinished.
    expect(status.cursors.primero).toBe(BUDGET_START);

    let runs = 1;
    for (; runs < 15; runs += 1) {
      const run = await interop(['run', '--json'], { cwd: home, env });
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout);
      expect(summary.failed).toEqual([]);
      if (!summary.budget) break;
    }
    expect(runs).toBeGreaterThan(1);
    expect(oscarReferralsOf(systems)).toEqual(expectedReferrals());
    expect(primeroCasesPerChild(systems)).toEqual(everyChildOnce());
    const after = JSON.parse((await interop(['status', '--json'], { cwd: home, env })).stdout);
    expect(after.deadLetters).toEqual([]);
    expect(after.retrying).toBe(0);
    expect(Date.parse(after.cursors.primero)).toBeGreaterThan(Date.parse(BUDGET_START));
  }, 180_000);
});
