// `npm run bench [-- --cases N --latency-ms N --concurrency N]`: seeds both emulators (in this
// process, with a per-request latency standing for the network), runs the real sync per scenario
// in a child process (bench/worker.ts for the first runs; `interop run`, the compiled CLI, for the
// recurring hourly and no-op runs, timed as whole processes), pairs `interop --help` with loading
// its main dependencies, and reports requests, writes, peak RSS and the reference figures against
// the targets of issues 9 and 17 (docs/performance.md).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { syncNodeFlags } from '../bin/node-flags.js';
import { buildBenchWorker, buildCli, staleBuildReason } from '../bin/build-cli.js';
import { startOscarEmulator } from '../demo/oscar/index.ts';
import { startPrimeroEmulator } from '../demo/primero/index.ts';
import type { RunningEmulator } from '../demo/common/harness.ts';
import { openStore } from '../src/runner/store.ts';
import type { SystemsConfig } from '../src/workflow/contract.ts';
import { DEFAULT_SETTINGS, MAX_CONCURRENCY } from '../src/workflow/lifecycle.ts';
import {
  floorOf,
  measureWindow,
  necessaryWork,
  originalAsCoded,
  originalPaged,
} from './reference.ts';
import type { LinkCost, WorkProfile } from './reference.ts';
import {
  SCENARIOS,
  changedRecords,
  countDelta,
  evaluateTargets,
  exitCodeOf,
  fingerprintOscar,
  fingerprintPrimero,
  formatStartUp,
  formatTable,
  startUpTargets,
  writesOf,
} from './report.ts';
import type { ScenarioName, ScenarioResult, Target } from './report.ts';
import {
  BENCH_CASE_WORKER,
  BENCH_OSCAR_ADMIN,
  BENCH_PRIMERO_USER,
  generateSeeds,
  planHourlyChanges,
  referralToOscarFields,
  toOscarRow,
} from './seed.ts';
import type { BenchSeeds, HourlyChanges } from './seed.ts';
import { measureByteCost, measureRoundTrip } from './link-cost.ts';
import type { RoundTrip } from './link-cost.ts';
import type { ByteCost } from './link-cost.ts';
import { canMeasureProcesses, runCli } from './process-run.ts';
import { measureStartUp } from './start-up.ts';
import type { StartUpPairing } from './start-up.ts';
import type { WorkerRequest, WorkerResult } from './worker.ts';
import { formatBudget, runBudgetScenario } from './budget.ts';
import { measureNpxPairing } from './npx-pairing.ts';
import type { NpxPairing } from './npx-pairing.ts';
import { MAX_SETTLE_RUNS, TRACKS, benchPlan, marginWaitMs, settledQuietly } from './plan.ts';
import type { TrackName, TrackNames } from './plan.ts';
import { PRIMERO_REREAD_MARGIN_MS, primeroListingStart } from '../src/workflow/primero-reread.ts';
import type { BudgetOptions, BudgetResult } from './budget.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKER = join(ROOT, 'bench', 'worker.ts');
/**
 * How the worker is started after the sync's flags: compiled (main() builds it, as the CLI is
 * built, so the first runs measure the code an operator runs), or through tsx when it cannot be.
 */
let workerArgs = ['--import', 'tsx', WORKER];

/** The sync's own default (README). */
export const DEFAULT_CONCURRENCY = DEFAULT_SETTINGS.concurrency;
export const DEFAULT_LATENCY_MS = 20;
export const FULL_CASES = 10_000;
export const FULL_SCALE_CASES = 50_000;
/** Records changed on each side in the hourly scenarios, whatever is held (issue 17). */
export const HOURLY_CHANGED = 100;
const ALL_SCENARIOS: ScenarioName[] = [...SCENARIOS];
/** A later scenario continues the store of the earlier ones. */
const CONTINUES: Partial<Record<ScenarioName, ScenarioName[]>> = {
  settle: ['initial'],
  hourly: ['initial', 'settle'],
  noop: ['initial', 'settle', 'hourly'],
  'scale-settle': ['scale'],
  'scale-hourly': ['scale', 'scale-settle'],
  'scale-noop': ['scale', 'scale-settle', 'scale-hourly'],
};
/** The budget scenario takes many minutes: it runs only when asked for by name. */
const BUDGET_SCENARIO = 'budget';
/** The budget scenario's defaults: a realistic latency, and OpenFn.org's default budget. */
export const BUDGET_LATENCY_MS = 200;
export const BUDGET_SECONDS = 240;

export interface BenchOptions {
  cases: number;
  scaleCases: number;
  latencyMs: number;
  concurrency: number;
  /** --cases was given: the quick variant (only the no-op runs' writes are enforced). */
  quick: boolean;
  scenarios: ScenarioName[];
  out: string;
  seed: number;
  /** The budget scenario, when asked for (`--scenario budget`). */
  budget?: BudgetOptions;
}

const positiveInt = (
  value: string | undefined,
  name: string,
  fallback: number,
  min = 1,
): number => {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min)
    throw new Error(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return number;
};

/** The sync refuses a concurrency outside 1..MAX_CONCURRENCY; say so before seeding anything. */
function concurrencyOf(value: string | undefined): number {
  const concurrency = positiveInt(value, 'concurrency', DEFAULT_CONCURRENCY);
  if (concurrency > MAX_CONCURRENCY)
    throw new Error(`--concurrency must be at most ${MAX_CONCURRENCY}, got ${concurrency}`);
  return concurrency;
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      cases: { type: 'string' },
      'scale-cases': { type: 'string' },
      'latency-ms': { type: 'string' },
      concurrency: { type: 'string' },
      scenarios: { type: 'string' },
      scenario: { type: 'string' },
      'budget-seconds': { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  });
  const quick = values.cases !== undefined;
  const cases = positiveInt(values.cases, 'cases', FULL_CASES, 100);
  const asked = values.scenarios ?? values.scenario;
  const named = asked ? asked.split(',').map((name) => name.trim()) : ALL_SCENARIOS;
  const withBudget = named.includes(BUDGET_SCENARIO);
  // `--scenario budget` alone runs the budget scenario only.
  const scenarios = named.filter((name) => name !== BUDGET_SCENARIO);
  for (const name of scenarios) {
    if (!ALL_SCENARIOS.includes(name as ScenarioName))
      throw new Error(
        `--scenarios: unknown scenario "${name}" (known: ${[...ALL_SCENARIOS, BUDGET_SCENARIO].join(', ')})`,
      );
  }
  const wanted = new Set(scenarios as ScenarioName[]);
  for (const name of [...wanted]) for (const earlier of CONTINUES[name] ?? []) wanted.add(earlier);
  return {
    cases,
    // Quick: twice the cases, so that the CI run stays within a minute.
    scaleCases: positiveInt(
      values['scale-cases'],
      'scale-cases',
      quick ? cases * 2 : FULL_SCALE_CASES,
      100,
    ),
    latencyMs: positiveInt(values['latency-ms'], 'latency-ms', DEFAULT_LATENCY_MS, 0),
    concurrency: concurrencyOf(values.concurrency),
    quick,
    scenarios: ALL_SCENARIOS.filter((name) => wanted.has(name)),
    out: values.out ?? join(ROOT, 'bench', 'results', 'latest.json'),
    seed: positiveInt(values.seed, 'seed', 20250101),
    ...(withBudget
      ? {
          budget: {
            cases,
            latencyMs: positiveInt(values['latency-ms'], 'latency-ms', BUDGET_LATENCY_MS, 0),
            concurrency: concurrencyOf(values.concurrency),
            budgetSeconds: positiveInt(values['budget-seconds'], 'budget-seconds', BUDGET_SECONDS),
            maxRuns: 40,
          },
        }
      : {}),
  };
}

const say = (text: string) => process.stderr.write(`${text}\n`);

/** Runs the sync once in a child process and waits for its answer. */
export function runWorker(request: WorkerRequest): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...syncNodeFlags(), ...workerArgs], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let answer: WorkerResult | undefined;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('message', (message) => {
      answer = message as WorkerResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (answer) resolve(answer);
      else reject(new Error(`The sync worker exited with code ${code} and no result:\n${stderr}`));
    });
    child.send(request);
  });
}

/** At most `limit` of `tasks` at once. */
/** The sync's credentials for the bench's emulators (the seed's API users). */
function benchSystems(primero: RunningEmulator, oscar: RunningEmulator): SystemsConfig {
  return {
    primero: {
      url: primero.url,
      username: BENCH_PRIMERO_USER.user_name,
      password: BENCH_PRIMERO_USER.password,
    },
    oscar: { url: oscar.url, ...BENCH_OSCAR_ADMIN },
  };
}

async function inParallel<T>(items: T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  });
  await Promise.all(lanes);
}

async function call(url: string, init: RequestInit & { json?: unknown }): Promise<any> {
  const response = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} answered ${response.status}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * The hourly changes, made as the people would make them: a MoSVY case worker refers children to
 * OSCaR through Primero's API, an NGO edits children in OSCaR (admin edit, stamps updated_at).
 */
async function applyHourlyChanges(
  primero: RunningEmulator,
  oscar: RunningEmulator,
  changes: HourlyChanges,
) {
  // HTTP Basic: read by every Primero version (v2.11+ answers the sign-in with no token).
  const credentials = `${BENCH_CASE_WORKER.user_name}:${BENCH_CASE_WORKER.password}`;
  const headers = { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
  await inParallel(changes.primero, 8, async (change) => {
    await call(`${primero.url}/api/v2/cases/${change.id}`, {
      method: 'PATCH',
      headers,
      json: {
        data: {
          services_section: [toOscarRow(change.rowId, change.service, change.org)],
        },
      },
    });
    await call(`${primero.url}/api/v2/cases/${change.id}/referrals`, {
      method: 'POST',
      headers,
      json: {
        data: {
          ...referralToOscarFields(change.rowId, change.org),
          service: change.service.primeroType,
        },
      },
    });
  });
  await inParallel(changes.oscar, 8, async (change) => {
    await call(`${oscar.url}/__emulator/oscar/clients/${change.globalId}`, {
      method: 'PATCH',
      json: { mosvy_number: change.mosvyNumber },
    });
  });
}

type Design = Pick<
  WorkProfile,
  | 'referralItems'
  | 'decisions'
  | 'links'
  | 'clientsToSync'
  | 'oscarDecisions'
  | 'changedRecords'
  | 'expectedWrites'
>;

/** What a first run over a seed must do (docs/performance.md, "Scenarios"). */
function initialDesign(seeds: BenchSeeds): Design {
  const { primero, oscar, clients } = seeds.meta;
  const design = {
    referralItems: primero.referralToOscar,
    decisions: primero.decision,
    links: primero.decision + primero.link,
    clientsToSync: clients,
    oscarDecisions: oscar.acceptedPairs,
    changedRecords: seeds.meta.cases + clients,
  };
  return {
    ...design,
    expectedWrites:
      design.referralItems +
      Math.sign(design.decisions) +
      Math.sign(design.links) +
      design.clientsToSync +
      design.oscarDecisions,
  };
}

const NOTHING: Design = {
  referralItems: 0,
  decisions: 0,
  links: 0,
  clientsToSync: 0,
  oscarDecisions: 0,
  changedRecords: 0,
  expectedWrites: 0,
};

interface Stage {
  primero: RunningEmulator;
  oscar: RunningEmulator;
  systems: SystemsConfig;
  options: BenchOptions;
  /** Calibrated once the first seed is loaded. */
  byteCost?: ByteCost;
  roundTrip?: RoundTrip;
}

/** The recurring runs go through `interop run` (whole process); the first ones through the worker. */
const VIA_CLI: ReadonlySet<ScenarioName> = new Set([
  'hourly',
  'noop',
  'scale-hourly',
  'scale-noop',
]);

/** One run by the bench's worker or by `interop run`, in the same terms. */
async function runSync(
  stage: Stage,
  name: ScenarioName,
  home: string,
  since?: string,
): Promise<WorkerResult & { via: 'worker' | 'cli'; process?: ScenarioResult['process'] }> {
  const { options } = stage;
  if (!since && VIA_CLI.has(name) && canMeasureProcesses()) {
    const run = await runCli({ home, systems: stage.systems, concurrency: options.concurrency });
    return {
      via: 'cli',
      status: run.status,
      ...(run.error ? { error: run.error } : {}),
      wallMs: run.inRunMs,
      peakRssMb: run.peakRssMb,
      baselineRssMb: 0,
      failedItems: run.failedItems,
      failureReasons: run.failureReasons,
      ...(run.steps ? { steps: run.steps as WorkerResult['steps'] } : {}),
      process: { wallMs: run.wallMs, cpuMs: run.cpuMs, peakRssMb: run.peakRssMb },
    };
  }
  const outcome = await runWorker({
    home,
    systems: stage.systems,
    ...(since ? { since } : {}),
    concurrency: options.concurrency,
  });
  return { ...outcome, via: 'worker' };
}

async function measureRun(
  stage: Stage,
  name: ScenarioName,
  seeds: BenchSeeds,
  home: string,
  design: Design,
  since?: string,
): Promise<ScenarioResult> {
  const { primero, oscar, options } = stage;
  const carried = since ? undefined : readCursors(home);
  const from = {
    // A run from the stored cursor lists from a margin before it (late commits).
    primero: since ?? (carried?.primero ? primeroListingStart(carried.primero, true) : seeds.since),
    oscar: since ?? carried?.oscar ?? seeds.since,
  };
  const primeroBefore = primero.state() as any;
  const oscarBefore = oscar.state() as any;
  const window = measureWindow(primeroBefore, oscarBefore, from);
  const printsBefore = {
    primero: fingerprintPrimero(primeroBefore),
    oscar: fingerprintOscar(oscarBefore),
  };
  const countsBefore = { primero: primero.requestCounts(), oscar: oscar.requestCounts() };

  say(
    `${name}: running the sync (${window.primeroWindowCases} Primero cases, ${window.oscarWindowClients} OSCaR clients in the window)...`,
  );
  const outcome = await runSync(stage, name, home, since);

  const byEndpoint = {
    ...countDelta('primero', countsBefore.primero, primero.requestCounts()),
    ...countDelta('oscar', countsBefore.oscar, oscar.requestCounts()),
  };
  const total = Object.values(byEndpoint).reduce((a, b) => a + b, 0);
  const recordsChanged = {
    primero: changedRecords(printsBefore.primero, fingerprintPrimero(primero.state() as any)),
    oscar: changedRecords(printsBefore.oscar, fingerprintOscar(oscar.state() as any)),
  };
  const profile: WorkProfile = { ...window, ...design };
  const link: LinkCost = {
    latencyMs: options.latencyMs,
    concurrency: options.concurrency,
    bytesPerMs: stage.byteCost?.bytesPerMs ?? 0,
  };
  const asCoded = originalAsCoded(profile);
  const necessary = necessaryWork(profile, link);
  const floor = floorOf(necessary, link);
  // The same work at what a bare request takes on this machine: reported, not a target.
  const machineFloor = stage.roundTrip
    ? floorOf(necessary, { ...link, latencyMs: stage.roundTrip.msPerRequest })
    : undefined;
  const result: ScenarioResult = {
    name,
    cases: seeds.meta.cases,
    clients: seeds.meta.clients,
    latencyMs: options.latencyMs,
    concurrency: options.concurrency,
    status: outcome.status,
    ...(outcome.error ? { error: outcome.error } : {}),
    via: outcome.via,
    wallMs: Math.round(outcome.wallMs),
    ...(outcome.process ? { process: outcome.process } : {}),
    peakRssMb: outcome.peakRssMb,
    baselineRssMb: outcome.baselineRssMb,
    peakRssAfterStepMb: outcome.peakRssAfterStepMb ?? {},
    nodeFlags: syncNodeFlags(),
    requests: { total, byEndpoint },
    writes: writesOf(byEndpoint),
    recordsChanged,
    profile,
    reference: {
      originalAsCoded: asCoded,
      originalPaged: originalPaged(profile),
      necessary,
      link,
      floor: {
        primeroMs: Math.round(floor.primeroMs),
        oscarMs: Math.round(floor.oscarMs),
        totalMs: Math.round(floor.totalMs),
      },
      requestsVsOriginal: asCoded.total > 0 ? total / asCoded.total : 0,
      wallVsFloor: floor.totalMs > 0 ? outcome.wallMs / floor.totalMs : 0,
      ...(stage.roundTrip && machineFloor
        ? {
            roundTrip: stage.roundTrip,
            machineFloorMs: Math.round(machineFloor.totalMs),
            wallVsMachineFloor:
              machineFloor.totalMs > 0 ? outcome.wallMs / machineFloor.totalMs : 0,
          }
        : {}),
    },
    sync: {
      failedItems: outcome.failedItems ?? 0,
      failureReasons: outcome.failureReasons ?? [],
      ...(outcome.steps ? { steps: outcome.steps } : {}),
    },
    targets: [],
  };
  say(
    `${name}: ${outcome.status} in ${(outcome.wallMs / 1000).toFixed(1)} s` +
      (outcome.process ? ` (whole process ${(outcome.process.wallMs / 1000).toFixed(1)} s)` : '') +
      `, ${total} requests, ${result.writes.total} writes, peak RSS ${outcome.peakRssMb} MB` +
      (result.sync.failedItems ? `, ${result.sync.failedItems} failed items` : ''),
  );
  return result;
}

function readCursors(home: string) {
  const store = openStore(home);
  try {
    return store.lastCarriedState()?.cursors;
  } finally {
    store.close();
  }
}

export interface BenchOutcome {
  results: ScenarioResult[];
  startUp?: { pairing: StartUpPairing; targets: Target[] };
  byteCost?: ByteCost;
  roundTrip?: RoundTrip;
  exitCode: number;
}

/** One size's emulators, seed and store, carried through its scenarios in order. */
interface Track {
  stage: Stage;
  seeds: BenchSeeds;
  home: string;
  names: TrackNames;
  /** When its last run ended (ms): the re-read margin counts from there. */
  lastEndedMs: number;
  /** Settle runs so far. */
  settles: number;
}

/** Runs one scenario of a track and notes when it ended. */
async function runOn(
  track: Track,
  name: ScenarioName,
  design: Design,
  since?: string,
): Promise<ScenarioResult> {
  const result = await measureRun(track.stage, name, track.seeds, track.home, design, since);
  track.lastEndedMs = Date.now();
  return result;
}

/** Waits until the re-read margin has passed since the track's last run ended, saying why. */
async function waitOutMargin(track: Track, before: string): Promise<void> {
  const waitMs = marginWaitMs(track.lastEndedMs, Date.now(), PRIMERO_REREAD_MARGIN_MS);
  if (waitMs <= 0) {
    say(`${before}: the re-read margin has passed since the last run on this store; no wait`);
    return;
  }
  say(
    `${before}: waiting ${Math.ceil(waitMs / 1000)} s, until the re-read margin ` +
      `(${PRIMERO_REREAD_MARGIN_MS / 1000} s) + 1 s has passed since the last run on this store ` +
      'ended: hourly runs are an hour apart, so the next listing must start after what that run wrote',
  );
  await new Promise((resolve) => setTimeout(resolve, waitMs));
}

/** The first settle run, or (`untilQuiet`) more, each after the margin, until one writes nothing. */
async function settle(track: Track, results: ScenarioResult[], untilQuiet: boolean): Promise<void> {
  const { quick } = track.stage.options;
  do {
    if (track.settles > 0) await waitOutMargin(track, `${track.names.settle} ${track.settles + 1}`);
    const result = await runOn(
      track,
      track.names.settle,
      track.settles === 0 ? settleDesign(track.seeds) : NOTHING,
    );
    track.settles += 1;
    results.push({ ...result, round: track.settles });
    if (settledQuietly(track.settles, result.writes.total, quick)) return;
  } while (untilQuiet && track.settles < MAX_SETTLE_RUNS);
  if (untilQuiet)
    say(
      `${track.names.settle}: still writing after ${track.settles} runs; hourly measures what follows`,
    );
}

/** The hourly changes of one store, made and measured, then the no-op run after them. */
async function hourlyAndNoop(track: Track, results: ScenarioResult[]) {
  const { stage, seeds, names } = track;
  const want = new Set(stage.options.scenarios);
  if (want.has(names.hourly)) {
    // The same count at both sizes; a tenth of the first size when that is smaller (the quick
    // variant's 500 held change 50 + 50), so that a small run stays quick.
    const count = Math.min(HOURLY_CHANGED, Math.floor(stage.options.cases / 10));
    const changes = planHourlyChanges(seeds.meta, count / seeds.meta.cases);
    say(
      `${names.hourly}: ${changes.primero.length} Primero cases and ${changes.oscar.length} OSCaR clients change...`,
    );
    await applyHourlyChanges(stage.primero, stage.oscar, changes);
    const changed = changes.primero.length + changes.oscar.length;
    results.push(
      await runOn(track, names.hourly, {
        ...NOTHING,
        referralItems: changes.primero.length,
        clientsToSync: changes.oscar.length,
        changedRecords: changed,
        expectedWrites: changed,
      }),
    );
  }
  if (!want.has(names.noop)) return;
  const noop = await runOn(track, names.noop, NOTHING);
  if (noop.via === 'cli') noop.npxPairing = await npxPairing(track);
  results.push(noop);
}

/** The pairing on the no-op's store; every one of its runs must be a no-op again. */
async function npxPairing(track: Track): Promise<NpxPairing> {
  const { stage } = track;
  const rounds = stage.options.quick ? 1 : 3;
  say(
    `${track.names.noop}: npx interop run --json beside npx interop --help, ${rounds} round(s)...`,
  );
  const before = { primero: stage.primero.requestCounts(), oscar: stage.oscar.requestCounts() };
  const pairing = await measureNpxPairing(
    { home: track.home, systems: stage.systems, concurrency: stage.options.concurrency },
    rounds,
  );
  const writes = writesOf({
    ...countDelta('primero', before.primero, stage.primero.requestCounts()),
    ...countDelta('oscar', before.oscar, stage.oscar.requestCounts()),
  }).total;
  if (writes > 0) pairing.problems.push(`the no-op runs through npx made ${writes} write requests`);
  track.lastEndedMs = Date.now();
  return pairing;
}

/** The run after a first run: the children it created in Primero get their case ids to OSCaR. */
function settleDesign(seeds: BenchSeeds): Design {
  const created = seeds.meta.oscar.ngoReferrals + seeds.meta.oscar.ngoClients;
  return { ...NOTHING, links: created, expectedWrites: Math.sign(created) };
}

export async function runBench(options: BenchOptions): Promise<BenchOutcome> {
  const want = new Set(options.scenarios);
  // Before the emulators start, so that only the two kinds of process being compared run.
  let startUp: BenchOutcome['startUp'];
  if (canMeasureProcesses()) {
    say('start-up: interop --help beside loading its main dependencies, alternated...');
    // Fewer rounds in the quick variant, which must stay within a minute in CI.
    const pairing = await measureStartUp(options.quick ? 3 : 5);
    startUp = { pairing, targets: startUpTargets(pairing, options.quick) };
  } else say('start-up: not measured (/usr/bin/time is missing; Debian package `time`)');
  const homes: string[] = [];
  const emulators: RunningEmulator[] = [];
  let byteCost: ByteCost | undefined;
  let roundTrip: RoundTrip | undefined;
  // Each size has its own emulators and store, so that the two can be interleaved.
  const openTrack = async (which: TrackName): Promise<Track> => {
    const names = TRACKS[which];
    const cases = which === 'first' ? options.cases : options.scaleCases;
    say(`${names.initial}: seeding ${cases} Primero cases and ${cases} OSCaR clients...`);
    const primero = await startPrimeroEmulator({ latencyMs: options.latencyMs });
    emulators.push(primero);
    const oscar = await startOscarEmulator({ latencyMs: options.latencyMs });
    emulators.push(oscar);
    const seeds = generateSeeds({ cases, seed: options.seed + (which === 'first' ? 0 : 1) });
    primero.loadSeed(seeds.primero);
    oscar.loadSeed(seeds.oscar);
    if (!byteCost) {
      byteCost = await measureByteCost(primero);
      say(
        `link: ${Math.round(byteCost.bytesPerMs / 1000)} MB/s serialised, carried and parsed ` +
          `(${(byteCost.bytes / 1e6).toFixed(1)} MB in ${Math.round(byteCost.cpuMs)} ms of CPU)`,
      );
      roundTrip = await measureRoundTrip(primero, options.concurrency);
      say(
        `link: a bare request takes ${roundTrip.msPerRequest.toFixed(1)} ms with ` +
          `${roundTrip.lanes} in flight (latency ${options.latencyMs} ms)`,
      );
    }
    const home = mkdtempSync(join(tmpdir(), 'interop-bench-'));
    homes.push(home);
    const stage: Stage = {
      primero,
      oscar,
      options,
      systems: benchSystems(primero, oscar),
      byteCost,
      ...(roundTrip ? { roundTrip } : {}),
    };
    return { stage, seeds, home, names, lastEndedMs: 0, settles: 0 };
  };
  const closeEmulators = async (which: RunningEmulator[]) => {
    for (const emulator of which) {
      const at = emulators.indexOf(emulator);
      if (at < 0) continue;
      emulators.splice(at, 1);
      await emulator.close();
    }
  };
  const tracks: Partial<Record<TrackName, Track>> = {};
  const results: ScenarioResult[] = [];
  try {
    for (const step of benchPlan(options)) {
      const track = (tracks[step.track] ??= await openTrack(step.track));
      if (step.do === 'initial')
        results.push(
          await runOn(track, track.names.initial, initialDesign(track.seeds), track.seeds.since),
        );
      else if (step.do === 'first-settle') await settle(track, results, false);
      else if (step.do === 'settle-until-quiet') await settle(track, results, true);
      else {
        if (options.quick && want.has(track.names.settle))
          say(
            `${track.names.hourly}: quick variant, settled once and no wait: the hourly and no-op ` +
              `listings include what ${track.names.settle} wrote`,
          );
        await hourlyAndNoop(track, results);
        // Done with this size: its emulators' memory is not the next runs' business.
        await closeEmulators([track.stage.primero, track.stage.oscar]);
      }
    }
  } finally {
    await closeEmulators([...emulators]);
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  }
  // The table in scenario order; the runs happened in the plan's (interleaved) order.
  results.sort((a, b) => SCENARIOS.indexOf(a.name) - SCENARIOS.indexOf(b.name));
  const first = (name: ScenarioName) => results.find((r) => r.name === name);
  const context = {
    quick: options.quick,
    ...(first('initial') ? { initial: first('initial')! } : {}),
    ...(first('hourly') ? { hourly: first('hourly')! } : {}),
    ...(first('noop') ? { noop: first('noop')! } : {}),
    ...(startUp ? { startUp: startUp.pairing } : {}),
  };
  for (const result of results) result.targets = evaluateTargets(result, context);
  return {
    results,
    ...(startUp ? { startUp } : {}),
    ...(byteCost ? { byteCost } : {}),
    ...(roundTrip ? { roundTrip } : {}),
    exitCode: exitCodeOf(results, startUp?.targets ?? []),
  };
}

/** The budget scenario on its own emulators (its latency), in a fresh store. */
export async function runBudgetBench(options: BudgetOptions, seed: number): Promise<BudgetResult> {
  const primero = await startPrimeroEmulator({ latencyMs: options.latencyMs });
  const oscar = await startOscarEmulator({ latencyMs: options.latencyMs });
  const home = mkdtempSync(join(tmpdir(), 'interop-bench-'));
  try {
    say(`budget: seeding ${options.cases} Primero cases and ${options.cases} OSCaR clients...`);
    const seeds = generateSeeds({ cases: options.cases, seed });
    primero.loadSeed(seeds.primero);
    oscar.loadSeed(seeds.oscar);
    return await runBudgetScenario(
      {
        primero,
        oscar,
        home,
        seeds,
        say,
        runWorker,
        systems: benchSystems(primero, oscar),
      },
      options,
    );
  } finally {
    await Promise.all([primero.close(), oscar.close()]);
    rmSync(home, { recursive: true, force: true });
  }
}

async function main() {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    say((error as Error).message);
    say(
      'usage: npm run bench -- [--cases N] [--latency-ms N] [--concurrency N] [--scenarios initial,hourly,noop,scale] [--scenario budget --budget-seconds N]',
    );
    process.exitCode = 2;
    return;
  }
  if (options.scenarios.length > 0)
    say(
      `bench: ${options.quick ? 'quick' : 'full'} run, ${options.cases} cases (scale ${options.scaleCases}), ` +
        `latency ${options.latencyMs} ms, concurrency ${options.concurrency}`,
    );
  const started = Date.now();
  // What is measured is what an operator runs: the compiled CLI, current with the sources.
  const stale = staleBuildReason();
  if (stale) {
    say(`build: ${stale}; building...`);
    if (!(await buildCli())) say('build: not built; `interop` runs through tsx and is measured so');
  }
  const worker = await buildBenchWorker(join(ROOT, 'dist', 'bench-worker'));
  if (worker) workerArgs = [worker];
  else say('build: esbuild is missing; the worker runs through tsx, whose loader adds to its RSS');
  const bench = options.scenarios.length > 0 ? await runBench(options) : undefined;
  const results = bench?.results ?? [];
  const budget = options.budget ? await runBudgetBench(options.budget, options.seed) : undefined;
  const exitCode = Math.max(
    bench?.exitCode ?? 0,
    budget && budget.targets.some((target) => !target.pass) ? 1 : 0,
  );
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(
    options.out,
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        node: process.version,
        options: { ...options, out: relative(ROOT, options.out) },
        totalSeconds: Math.round((Date.now() - started) / 1000),
        exitCode,
        ...(bench?.startUp ? { startUp: bench.startUp } : {}),
        ...(bench?.byteCost ? { byteCost: bench.byteCost } : {}),
        ...(bench?.roundTrip ? { roundTrip: bench.roundTrip } : {}),
        scenarios: results,
        ...(budget ? { budget } : {}),
      },
      null,
      2,
    )}\n`,
  );
  if (results.length > 0) process.stdout.write(`${formatTable(results)}\n\n`);
  if (bench?.startUp)
    process.stdout.write(`${formatStartUp(bench.startUp.pairing, bench.startUp.targets)}\n\n`);
  if (budget) process.stdout.write(`${formatBudget(budget)}\n\n`);
  process.stdout.write(`Results: ${relative(ROOT, options.out)}\n`);
  if (options.quick)
    process.stdout.write(
      'Quick variant: only the no-op runs (zero writes, no record changed) decide the exit code. ' +
        `The targets that need ${FULL_CASES} and ${FULL_SCALE_CASES} held (hourly and no-op at the ` +
        'scale size against the first size, initial wall against the floor, scale peak RSS) and the ' +
        `start-up pairing are measured here at ${options.cases} and ${options.scaleCases} held and ` +
        'reported, not enforced.\n',
    );
  process.exitCode = exitCode;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
