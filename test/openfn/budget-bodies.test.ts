// behaviour: on OpenFn.org a run that reaches its budget ends as a success whose final state holds
// the checkpoint, and the next cron run (started from that state, as Lightning does) continues it.
// The built bodies run on @openfn/runtime with only the adaptor linked, against the emulators.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenfn, OPENFN_JOBS, type BuildOpenfnResult } from '../../src/openfn/index.ts';
import { startSystems, type Systems } from '../e2e/helpers.ts';
import {
  BUDGET_START,
  budgetSeeds,
  everyChildOnce,
  expectedReferrals,
  oscarReferralsOf,
  primeroCasesPerChild,
} from '../reliability/budget-world.ts';
import { runBodiesOnRuntime } from './runtime-harness.ts';
import { startCollections, storedCarried } from './collections-api.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

let outDir: string;
let build: BuildOpenfnResult;
let systems: Systems;
let collections: Awaited<ReturnType<typeof startCollections>>;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'openfn-budget-'));
  build = await buildOpenfn({ root, outDir, credentialOwner: 'ops@example.org', commit: 'c0ffee' });
  [systems, collections] = await Promise.all([startSystems(budgetSeeds()), startCollections()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([systems?.close(), collections?.api.close()]);
  await rm(outDir, { recursive: true, force: true });
});

function steps() {
  // Runs seconds apart (hourly on OpenFn.org): Basic auth avoids the emulator's sign-in throttle.
  const credentials = {
    primero: { ...systems.systems.primero, basicAuth: true },
    oscar: systems.systems.oscar,
  };
  return build.bodies.map((body) => {
    const job = OPENFN_JOBS.find((j) => j.step === body.step)!;
    return {
      id: body.step,
      expression: body.text,
      configuration: { ...credentials[job.credential] },
    };
  });
}

describe('the OpenFn.org bodies with a budget', () => {
  it('stop at a checkpoint and continue in the next cron run until the window has landed once', async () => {
    let input: Record<string, unknown> = {
      since: BUDGET_START,
      settings: { maxRunItems: 16, concurrency: 2 },
    };
    const messages: string[] = [];
    let runs = 0;
    for (; runs < 10; runs += 1) {
      const run = await runBodiesOnRuntime(
        steps(),
        input,
        build.adaptor,
        60_000,
        collections.access,
      );
      expect(run.error).toBeUndefined();
      expect(run.state?.errors).toBeUndefined();
      const state = run.state!;
      expect(state.summary.ok).toBe(true);
      const carried = storedCarried(collections.api);
      expect(carried.retries).toEqual([]);
      // The final state holds the summary only; the checkpoint is kept in the Collection.
      expect(Object.keys(state)).toEqual(['summary']);
      if (!state.summary.budget) break;
      messages.push(state.summary.budget.message);
      expect(carried.checkpoint).toBeDefined();
      // Whatever Lightning feeds the next cron run, it continues from the Collection.
      input = {};
    }
    expect(messages.length).toBeGreaterThan(0);
    expect(messages[0]).toMatch(/^Stopped at the item budget \(16 items\) after/);
    expect(oscarReferralsOf(systems)).toEqual(expectedReferrals());
    expect(primeroCasesPerChild(systems)).toEqual(everyChildOnce());
  }, 240_000);
});
