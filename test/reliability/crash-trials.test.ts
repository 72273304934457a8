// Crash trials: the real `interop run` (bin/interop.js and its child, one process group) is
// SIGKILLed at random points of the run, under a random mix of faults (a 500 or a dropped
// connection after OSCaR or Primero saved a write, 429 + Retry-After, answers slower than the
// HTTP timeout), again and again on the same world until a run gets through; then the scheduled
// runs go on until the systems are quiet, the NGOs accept what they received, and:
//   - 0 duplicates: OSCaR holds each referral at most once, Primero each OSCaR child at most once;
//   - 0 lost: every referral is in OSCaR or a dead letter, every NGO client in Primero;
//   - every dead letter is a referral that really did not land (the ones that landed were settled
//     against OSCaR's listing, src/sync/primero-to-oscar/unconfirmed.ts).
// Seeded: TRIAL_SEED=<n> replays the same kill points and faults (the exact interleaving of a
// busy machine may still differ; every check holds whatever it is). INTEROP_TRIAL_KILLS sets how
// many kills (default 8 here; .ci/run asks for 30).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../demo/common/harness.ts';
import { createRunner } from '../../src/runner/run-once.ts';
import { openStore } from '../../src/runner/store.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import { systemsEnv } from '../e2e/helpers.ts';
import type { Systems } from '../e2e/helpers.ts';
import { FAST, expectNoLeaks, runWith, seen, worldSystems } from './harness.ts';
import { ROOT } from './cli.ts';
import { START } from './world.ts';
import { landedCount, ngosAcceptAll, primeroCasesByGlobalId, trialWorld } from './trial-world.ts';

const KILLS = Number(process.env.INTEROP_TRIAL_KILLS ?? 8);
const SEED = Number(process.env.TRIAL_SEED ?? 20261201);
/** Kills in one world before its runs are let through; bounds Primero sign-ins (7 a minute). */
const KILLS_PER_WORLD = 5;
/** The child's HTTP timeout: the slow faults answer around it. */
const TIMEOUT_MS = 800;
const UPSERT = 'POST /api/v1/organizations/clients/upsert';
const LISTING = 'GET /api/v1/organizations/clients';
const CREATE_CASE = 'POST /api/v2/cases';
const PATCH_CASE = 'PATCH /api/v2/cases/:id';
const CASES = 'GET /api/v2/cases';

/** mulberry32: a small seeded generator, so a failing trial can be replayed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
  };
}
type Random = ReturnType<typeof generator>;

/** The fault mix of one trial: one to three of these, on OSCaR and Primero. */
const FAULTS: Array<{ name: string; system: 'oscar' | 'primero'; rule: FaultRule }> = [
  {
    name: 'upsert 500 after the write',
    system: 'oscar',
    rule: { route: UPSERT, status: 500, afterBody: true, probability: 0.4 },
  },
  {
    name: 'upsert dropped after the write',
    system: 'oscar',
    rule: { route: UPSERT, drop: true, afterBody: true, probability: 0.4 },
  },
  {
    name: 'upsert slower than the timeout',
    system: 'oscar',
    rule: { route: UPSERT, delayMs: TIMEOUT_MS + 100, afterBody: true, probability: 0.3 },
  },
  {
    name: 'upsert just inside the timeout',
    system: 'oscar',
    rule: { route: UPSERT, delayMs: TIMEOUT_MS - 150, probability: 0.3 },
  },
  {
    name: 'upsert 429 + Retry-After',
    system: 'oscar',
    rule: { route: UPSERT, status: 429, retryAfterSeconds: 1, times: 1 },
  },
  {
    name: 'listing 429 + Retry-After',
    system: 'oscar',
    rule: { route: LISTING, status: 429, retryAfterSeconds: 1, times: 1 },
  },
  {
    name: 'listing slower than the timeout',
    system: 'oscar',
    rule: { route: LISTING, delayMs: TIMEOUT_MS + 100, times: 1 },
  },
  {
    name: 'case created, 500 after the write',
    system: 'primero',
    rule: { route: CREATE_CASE, status: 500, afterBody: true, probability: 0.4 },
  },
  {
    name: 'case created, dropped after the write',
    system: 'primero',
    rule: { route: CREATE_CASE, drop: true, afterBody: true, probability: 0.4 },
  },
  {
    name: 'case updated, 500 after the write',
    system: 'primero',
    rule: { route: PATCH_CASE, status: 500, afterBody: true, probability: 0.3 },
  },
  {
    name: 'case listing 429 + Retry-After',
    system: 'primero',
    rule: { route: CASES, status: 429, retryAfterSeconds: 1, times: 1 },
  },
];

function faultMix(random: Random, systems: Systems): string[] {
  const chosen = new Set<(typeof FAULTS)[number]>();
  const count = random.int(1, 3);
  while (chosen.size < count) chosen.add(random.pick(FAULTS));
  for (const system of ['oscar', 'primero'] as const) {
    systems[system].setFaults({
      latencyMs: random.int(0, 15),
      rules: [...chosen].filter((f) => f.system === system).map((f) => f.rule),
    });
  }
  return [...chosen].map((f) => f.name);
}

const totalRequests = (systems: Systems) =>
  [systems.primero, systems.oscar]
    .flatMap((emulator) => Object.entries(emulator.requestCounts()))
    .filter(([route]) => !route.includes('/__emulator'))
    .reduce((sum, [, count]) => sum + count, 0);

/**
 * `interop run` as an operator starts it, in its own process group; the group is SIGKILLed once
 * the systems have seen `killAt` more requests (a point inside the run, not a time). Resolves
 * whether it was killed.
 */
async function runAndKill(systems: Systems, home: string, killAt: number): Promise<boolean> {
  const store = openStore(home);
  const first = !store.lastCarriedState()?.cursors.primero;
  store.close();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin/interop.js'), 'run', '--verbose', ...(first ? ['--since', START] : [])],
    {
      cwd: home,
      detached: true,
      env: {
        ...process.env,
        ...systemsEnv(systems),
        INTEROP_HOME: home,
        INTEROP_HTTP_TIMEOUT_MS: String(TIMEOUT_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  const start = totalRequests(systems);
  let killed = false;
  const poll = setInterval(() => {
    if (killed || totalRequests(systems) - start < killAt) return;
    killed = true;
    process.kill(-child.pid!, 'SIGKILL');
  }, 1);
  const signal = await exited;
  clearInterval(poll);
  seen.push(output);
  if (killed) {
    expect(signal).toBe('SIGKILL');
    // The grandchild (the run itself) went with the group: nothing writes any more.
    const after = totalRequests(systems);
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 300));
    const late = totalRequests(systems) - after;
    expect(late, 'requests after the kill: the run outlived its group').toBe(0);
  }
  return killed;
}

/** The scheduled runs after the trials, in this process, on the same store. */
function scheduledRuns(systems: Systems, home: string) {
  const store = openStore(home);
  const runner = createRunner({
    store,
    runWorkflow,
    // Basic auth: these runs follow each other within seconds (Primero throttles sign-ins).
    systems: { ...systems.systems, primero: { ...systems.systems.primero, basicAuth: true } },
    settings: FAST,
  });
  return {
    store,
    async untilQuiet(max = 6) {
      const seenRuns: string[] = [];
      for (let n = 0; n < max; n += 1) {
        const first = !store.lastCarriedState()?.cursors.primero;
        const run = await runner.runOnce({
          trigger: 'schedule',
          ...(first ? { since: START } : {}),
        });
        if (run.status === 'refused') throw new Error(`a scheduled run was refused: ${run.reason}`);
        const written = Object.values(run.summary.steps).reduce(
          (sum, step) => sum + step.written,
          0,
        );
        if (run.status === 'succeeded' && written === 0) return;
        seenRuns.push(
          `${run.status} ${run.summary.error ?? ''} ${JSON.stringify(run.summary.kinds)} ` +
            JSON.stringify(run.summary.failed.map((item) => [item.key, item.reason])) +
            store
              .getRunLogs(run.run.id)
              .map((line) => line.message)
              .filter((line) => line.includes('f2-j2'))
              .join('\n'),
        );
      }
      throw new Error(`not quiet after ${max} scheduled runs:\n${seenRuns.join('\n')}`);
    },
  };
}

/** Requests of one uninterrupted first run of the trial world: the range kill points fall in. */
async function requestsOfOneRun(): Promise<number> {
  const systems = await worldSystems(trialWorld().seeds);
  try {
    await runWith(systems, undefined, {
      settings: { ...FAST, http: { ...FAST.http, timeoutMs: TIMEOUT_MS } },
    });
    return totalRequests(systems);
  } finally {
    await systems.close();
  }
}

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
  expectNoLeaks(seen);
});

describe(`crash trials: ${KILLS} SIGKILLs of \`interop run\` at random points (seed ${SEED})`, () => {
  it(
    '0 duplicates, 0 lost, every dead letter a referral that did not land',
    { timeout: 60 * 60 * 1000 },
    async () => {
      const random = generator(SEED);
      const perRun = await requestsOfOneRun();
      const trials: string[] = [];
      let kills = 0;
      while (kills < KILLS) {
        const world = trialWorld();
        const systems = await worldSystems(world.seeds);
        const home = mkdtempSync(join(tmpdir(), 'interop-trial-'));
        homes.push(home);
        try {
          // Kill after kill in this world until a run gets through or enough were killed.
          for (let inWorld = 0; inWorld < KILLS_PER_WORLD && kills < KILLS; inWorld += 1) {
            const faults = faultMix(random, systems);
            const killAt = random.int(1, perRun);
            const killed = await runAndKill(systems, home, killAt);
            trials.push(
              `${killed ? 'killed' : 'ran through'} at ${killAt} with ${faults.join(', ')}`,
            );
            if (!killed) break;
            kills += 1;
          }
          systems.oscar.setFaults({});
          systems.primero.setFaults({});
          // Slow answers OSCaR was still saving when the group died land now.
          await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 300));
          const runs = scheduledRuns(systems, home);
          try {
            await runs.untilQuiet();
            // The NGOs work their inboxes: accepted referrals are listed by OSCaR from now on.
            await ngosAcceptAll(systems);
            await runs.untilQuiet();
            const deadLetters = runs.store.listDeadLetters();
            const state = runs.store.lastCarriedState()!;
            const where = `seed ${SEED}, trials so far:\n${trials.join('\n')}`;
            expect(state.retries, where).toEqual([]);
            for (const referral of world.referrals) {
              const count = landedCount(systems, referral);
              const dead = deadLetters.some((item) => item.key === referral.key);
              expect(count, `${referral.key} duplicated; ${where}`).toBeLessThanOrEqual(1);
              if (dead) expect(count, `${referral.key} landed but dead-lettered; ${where}`).toBe(0);
              else expect(count, `${referral.key} lost; ${where}`).toBe(1);
            }
            // Only referrals OSCaR may hold unconfirmed ever wait for an operator.
            for (const item of deadLetters)
              expect(item.reason, where).toMatch(/^OSCaR did not confirm the referral/);
            const cases = primeroCasesByGlobalId(systems);
            for (const globalId of world.ngoClients)
              expect(cases.get(globalId), `${globalId} in Primero; ${where}`).toBe(1);
            for (const [globalId, count] of cases)
              expect(count, `${globalId} duplicated in Primero; ${where}`).toBe(1);
            for (const run of runs.store.listRuns())
              seen.push(
                JSON.stringify(run),
                ...runs.store.getRunLogs(run.id).map((line) => line.message),
              );
            seen.push(JSON.stringify(deadLetters), JSON.stringify(state));
          } finally {
            runs.store.close();
          }
        } finally {
          await systems.close();
        }
      }
      expect(kills).toBe(KILLS);
    },
  );
});
