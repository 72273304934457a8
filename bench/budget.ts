// The budget scenario (`npm run bench -- --scenario budget`): a first window far bigger than one
// run's time budget, run by the runner again and again as the hourly timer would, until it is done.
// It reports how many runs it took and the longest run, and checks that no run outlived its budget
// and that every record landed exactly once (docs/performance.md, "Runs that fit the clock").
import type { RunningEmulator } from '../demo/common/harness.ts';
import type { SystemsConfig } from '../src/workflow/contract.ts';
import type { BenchSeeds } from './seed.ts';
import type { WorkerRequest, WorkerResult } from './worker.ts';

export interface BudgetOptions {
  cases: number;
  latencyMs: number;
  concurrency: number;
  budgetSeconds: number;
  /** Stop after this many runs even if the window is not done (the FAIL says so). */
  maxRuns: number;
}

export interface BudgetRun {
  run: number;
  status: WorkerResult['status'];
  wallSeconds: number;
  peakRssMb: number;
  /** The run's budget line when it stopped at its budget. */
  stopped?: string;
  error?: string;
}

export interface Landing {
  /** Referrals from Primero OSCaR holds, and how many of them are a second copy. */
  oscarReferrals: number;
  duplicateReferrals: number;
  expectedReferrals: number;
  /** OSCaR-only children and how many Primero cases hold each: all must be exactly one. */
  children: number;
  childrenMissing: number;
  childrenDuplicated: number;
}

export interface BudgetTarget {
  name: string;
  pass: boolean;
  detail: string;
}

export interface BudgetResult {
  name: 'budget';
  options: BudgetOptions;
  runs: BudgetRun[];
  runsNeeded: number;
  maxRunSeconds: number;
  totalSeconds: number;
  landing: Landing;
  targets: BudgetTarget[];
}

type Json = Record<string, any>;

/** What the window must leave in both systems, counted from the emulators' states. */
export function measureLanding(
  primeroState: Json,
  oscarState: Json,
  seeds: Pick<BenchSeeds, 'meta'>,
  referralsBefore: number,
): Landing {
  const referrals = new Map<string, number>();
  for (const org of oscarState.organizations as Json[]) {
    for (const referral of org.referrals as Json[]) {
      if (referral.referred_from !== 'primero' || !referral.external_id) continue;
      const key = `${referral.external_id}|${referral.referred_to}|${(referral.services ?? []).join(',')}`;
      referrals.set(key, (referrals.get(key) ?? 0) + 1);
    }
  }
  const holders = new Map<string, number>();
  for (const record of primeroState.cases as Json[]) {
    if (record.oscar_number)
      holders.set(record.oscar_number, (holders.get(record.oscar_number) ?? 0) + 1);
  }
  const counts = seeds.meta.ngoGlobalIds.map((id) => holders.get(id) ?? 0);
  const oscarReferrals = [...referrals.values()].reduce((a, b) => a + b, 0);
  return {
    oscarReferrals,
    duplicateReferrals: oscarReferrals - referrals.size,
    expectedReferrals: referralsBefore + seeds.meta.primero.referralToOscar,
    children: counts.length,
    childrenMissing: counts.filter((n) => n === 0).length,
    childrenDuplicated: counts.filter((n) => n > 1).length,
  };
}

/** Referrals from Primero OSCaR holds before the run (the seeded, already accepted ones). */
export function primeroReferralsIn(oscarState: Json): number {
  return (oscarState.organizations as Json[]).reduce(
    (sum, org) =>
      sum +
      (org.referrals as Json[]).filter((r) => r.referred_from === 'primero' && r.external_id)
        .length,
    0,
  );
}

export function budgetTargets(
  runs: readonly BudgetRun[],
  landing: Landing,
  options: BudgetOptions,
): BudgetTarget[] {
  const over = runs.filter((run) => run.wallSeconds > options.budgetSeconds);
  const failed = runs.filter((run) => run.status !== 'succeeded');
  const finished = runs.length > 0 && runs.at(-1)!.stopped === undefined;
  const landedOnce =
    finished &&
    landing.duplicateReferrals === 0 &&
    landing.oscarReferrals === landing.expectedReferrals &&
    landing.childrenMissing === 0 &&
    landing.childrenDuplicated === 0;
  return [
    {
      name: 'no run over its budget',
      pass: over.length === 0 && failed.length === 0,
      detail:
        `${runs.length} runs, the longest ${Math.max(0, ...runs.map((r) => r.wallSeconds)).toFixed(1)} s ` +
        `against ${options.budgetSeconds} s` +
        (failed.length > 0 ? `; ${failed.length} runs did not succeed` : ''),
    },
    {
      name: 'every record landed once',
      pass: landedOnce,
      detail:
        `${landing.oscarReferrals} referrals in OSCaR (expected ${landing.expectedReferrals}, ` +
        `${landing.duplicateReferrals} twice); ${landing.children - landing.childrenMissing - landing.childrenDuplicated} ` +
        `of ${landing.children} OSCaR children in Primero once (${landing.childrenMissing} missing, ` +
        `${landing.childrenDuplicated} twice)` +
        (finished ? '' : `; the window was not done after ${runs.length} runs`),
    },
  ];
}

export interface BudgetStage {
  primero: RunningEmulator;
  oscar: RunningEmulator;
  systems: SystemsConfig;
  home: string;
  seeds: BenchSeeds;
  runWorker: (request: WorkerRequest) => Promise<WorkerResult>;
  say: (text: string) => void;
}

/** Runs the window run after run (each from the stored checkpoint) until one finishes it. */
export async function runBudgetScenario(
  stage: BudgetStage,
  options: BudgetOptions,
): Promise<BudgetResult> {
  const { seeds, say } = stage;
  const referralsBefore = primeroReferralsIn(stage.oscar.state() as Json);
  const runs: BudgetRun[] = [];
  const started = Date.now();
  for (let n = 1; n <= options.maxRuns; n += 1) {
    const outcome = await stage.runWorker({
      home: stage.home,
      systems: stage.systems,
      ...(n === 1 ? { since: seeds.since } : {}),
      concurrency: options.concurrency,
      maxRunSeconds: options.budgetSeconds,
    });
    const run: BudgetRun = {
      run: n,
      status: outcome.status,
      wallSeconds: Math.round(outcome.wallMs / 100) / 10,
      peakRssMb: outcome.peakRssMb,
      ...(outcome.budget ? { stopped: outcome.budget } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
    };
    runs.push(run);
    say(
      `budget: run ${n} ${run.status} in ${run.wallSeconds.toFixed(1)} s` +
        (run.stopped ? `: ${run.stopped}` : ': the window is done'),
    );
    if (run.status !== 'succeeded' || !run.stopped) break;
  }
  const landing = measureLanding(
    stage.primero.state() as Json,
    stage.oscar.state() as Json,
    seeds,
    referralsBefore,
  );
  return {
    name: 'budget',
    options,
    runs,
    runsNeeded: runs.length,
    maxRunSeconds: Math.max(0, ...runs.map((r) => r.wallSeconds)),
    totalSeconds: Math.round((Date.now() - started) / 1000),
    landing,
    targets: budgetTargets(runs, landing, options),
  };
}

export function formatBudget(result: BudgetResult): string {
  const { options } = result;
  const lines = [
    `budget: ${options.cases} + ${options.cases} records, latency ${options.latencyMs} ms, ` +
      `concurrency ${options.concurrency}, budget ${options.budgetSeconds} s`,
    `  runs needed: ${result.runsNeeded}; longest run ${result.maxRunSeconds.toFixed(1)} s; ` +
      `${result.totalSeconds} s in all`,
    ...result.runs.map(
      (run) =>
        `  run ${run.run}: ${run.status}, ${run.wallSeconds.toFixed(1)} s, peak RSS ${run.peakRssMb} MB` +
        (run.stopped ? ` - ${run.stopped}` : '') +
        (run.error ? ` - ${run.error}` : ''),
    ),
    ...result.targets.map(
      (target) => `  ${target.pass ? 'PASS' : 'FAIL'} ${target.name}: ${target.detail}`,
    ),
  ];
  return lines.join('\n');
}
