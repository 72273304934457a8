// Turning one benchmark run into figures: requests per endpoint and writes from the emulators'
// counters, records changed from their states, the targets (issues 9 and 17) as PASS/FAIL, the
// results file and the terminal table.
import { createHash } from 'node:crypto';
import type { StepId } from '../src/workflow/contract.ts';
import type { Floor, LinkCost, NecessaryWork, RequestBreakdown, WorkProfile } from './reference.ts';
import type { RoundTrip } from './link-cost.ts';
import type { ProcessUsage } from './process-run.ts';
import type { StartUpPairing } from './start-up.ts';
import type { NpxPairing } from './npx-pairing.ts';
import { MAIN_DEPENDENCIES } from './start-up.ts';

/** The scenarios at the first size (10 000 held), then the same ones continued at the scale size. */
export const SCENARIOS = [
  'initial',
  'settle',
  'hourly',
  'noop',
  'scale',
  'scale-settle',
  'scale-hourly',
  'scale-noop',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const NOOP_SCENARIOS: ReadonlySet<ScenarioName> = new Set(['noop', 'scale-noop']);
/** What the quick variant enforces: a run with nothing changed writes nothing. */
const ENFORCED_WHEN_QUICK = new Set(['run succeeded', 'zero writes', 'no record changed']);

export interface Target {
  name: string;
  pass: boolean;
  /** Whether a FAIL makes the bench exit non-zero (the quick variant enforces only the no-op one). */
  enforced: boolean;
  detail: string;
}

export interface ScenarioResult {
  name: ScenarioName;
  /** Which settle run of its store (settle repeats until a run writes nothing). */
  round?: number;
  /** Records each side holds (Primero cases, OSCaR clients) as seeded. */
  cases: number;
  clients: number;
  latencyMs: number;
  concurrency: number;
  status: 'succeeded' | 'failed' | 'refused';
  error?: string;
  /** How the run was started: the bench's worker (in-run figures only) or `interop run` (both). */
  via: 'worker' | 'cli';
  /** The run itself (runOnce, or the summary's startedAt to finishedAt), ms. */
  wallMs: number;
  /** The whole `interop run` process from start to exit (via cli only). */
  process?: ProcessUsage;
  peakRssMb: number;
  baselineRssMb: number;
  /** Peak RSS so far when each step had finished: where the peak was reached. */
  peakRssAfterStepMb: Partial<Record<StepId, number>>;
  /** The sync's Node flags (bin/node-flags.js), the heap budget among them. */
  nodeFlags: string[];
  requests: { total: number; byEndpoint: Record<string, number> };
  writes: { total: number; byEndpoint: Record<string, number> };
  /** Records whose stored form differs after the run (added or changed), per emulator. */
  recordsChanged: { primero: number; oscar: number };
  profile: WorkProfile;
  reference: {
    /** The original jobs as their code behaves (one page per listing). */
    originalAsCoded: RequestBreakdown;
    /** The original jobs as if they paged through the whole window. */
    originalPaged: RequestBreakdown;
    necessary: NecessaryWork;
    link: LinkCost;
    floor: Floor;
    requestsVsOriginal: number;
    wallVsFloor: number;
    /** What a bare request took on this machine, and the floor at that cost (not a target). */
    roundTrip?: RoundTrip;
    machineFloorMs?: number;
    wallVsMachineFloor?: number;
  };
  sync: { failedItems: number; failureReasons: string[]; steps?: unknown };
  /** The no-op runs: `npx interop run --json` beside `npx interop --help` (the pairing). */
  npxPairing?: NpxPairing;
  targets: Target[];
}

/** Counts `after - before` per route, keyed `system METHOD /route`; zero entries dropped. */
export function countDelta(
  system: string,
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [route, count] of Object.entries(after)) {
    const change = count - (before[route] ?? 0);
    if (change > 0) delta[`${system} ${route}`] = change;
  }
  return delta;
}

/** Sign-ins are POSTs that change no record. */
const SIGN_IN = /\/tokens\b|\/sign_in\b/;

export function isWriteRoute(key: string): boolean {
  const route = key.replace(/^\S+ /, '');
  return /^(POST|PUT|PATCH|DELETE) /.test(route) && !SIGN_IN.test(route);
}

export function writesOf(byEndpoint: Record<string, number>): {
  total: number;
  byEndpoint: Record<string, number>;
} {
  const writes = Object.fromEntries(
    Object.entries(byEndpoint).filter(([key]) => isWriteRoute(key)),
  );
  return { total: Object.values(writes).reduce((a, b) => a + b, 0), byEndpoint: writes };
}

type Json = Record<string, any>;

const digest = (value: unknown) =>
  createHash('sha1').update(JSON.stringify(value)).digest('base64');

/** A fingerprint per record of both emulators' states (exported form), to count what a run changed. */
export function fingerprintPrimero(state: Json): Map<string, string> {
  const prints = new Map<string, string>();
  for (const record of state.cases as Json[]) prints.set(`case:${record.id}`, digest(record));
  for (const referral of state.referrals as Json[])
    prints.set(`referral:${referral.id}`, digest(referral));
  return prints;
}

export function fingerprintOscar(state: Json): Map<string, string> {
  const prints = new Map<string, string>();
  for (const org of state.organizations as Json[]) {
    for (const client of org.clients as Json[])
      prints.set(`client:${org.short_name}:${client.id}`, digest(client));
    for (const referral of org.referrals as Json[])
      prints.set(`referral:${org.short_name}:${referral.id}`, digest(referral));
  }
  return prints;
}

export function changedRecords(before: Map<string, string>, after: Map<string, string>): number {
  let changed = 0;
  for (const [key, print] of after) if (before.get(key) !== print) changed += 1;
  return changed;
}

export interface TargetContext {
  /** Quick variant (--cases given): only the no-op runs' writes and changes are enforced. */
  quick: boolean;
  /** The first-size runs the scale runs are compared with. */
  initial?: ScenarioResult;
  hourly?: ScenarioResult;
  noop?: ScenarioResult;
  startUp?: StartUpPairing;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.POSITIVE_INFINITY);
const fixed = (value: number, digits = 2) =>
  Number.isFinite(value) ? value.toFixed(digits) : 'inf';
const seconds = (ms: number) => `${fixed(ms / 1000, 1)} s`;

/** The targets for one scenario (docs/performance.md, "Targets"). */
export function evaluateTargets(result: ScenarioResult, context: TargetContext): Target[] {
  const targets: Target[] = [];
  const add = (name: string, pass: boolean, detail: string) =>
    targets.push({
      name,
      pass,
      enforced:
        !context.quick || (NOOP_SCENARIOS.has(result.name) && ENFORCED_WHEN_QUICK.has(name)),
      detail,
    });
  const writesMatch = () =>
    add(
      'writes == records changed',
      result.writes.total === result.profile.expectedWrites,
      `${result.writes.total} writes for ${result.profile.changedRecords} changed records`,
    );
  const nothingWritten = () => {
    add('zero writes', result.writes.total === 0, `${result.writes.total} write requests`);
    add(
      'no record changed',
      result.recordsChanged.primero + result.recordsChanged.oscar === 0,
      `${result.recordsChanged.primero} Primero, ${result.recordsChanged.oscar} OSCaR records changed`,
    );
  };
  // The pairing: both through npx, alternated over the same rounds.
  const npxNoopVsHelp = () => {
    const pairing = result.npxPairing;
    add(
      'npx no-op <= 2 x npx interop --help',
      pairing !== undefined &&
        pairing.problems.length === 0 &&
        pairing.noop.wallMs <= 2 * pairing.help.wallMs,
      pairing
        ? `${seconds(pairing.noop.wallMs)} vs ${seconds(2 * pairing.help.wallMs)} (npx --help ` +
            `${seconds(pairing.help.wallMs)}; medians of ${pairing.rounds})` +
            (pairing.problems.length ? `; ${pairing.problems.join('; ')}` : '')
        : 'not measured (needs /usr/bin/time)',
    );
  };
  // Stricter, for information: `node bin/interop.js run` against `node bin/interop.js --help`,
  // without npm's own start on either side.
  const processVsHelp = () => {
    const help = context.startUp?.help.wallMs;
    const whole = result.process?.wallMs;
    targets.push({
      name: 'process <= 2 x node --help (info)',
      pass: help !== undefined && whole !== undefined && whole <= 2 * help,
      enforced: false,
      detail:
        help !== undefined && whole !== undefined
          ? `${seconds(whole)} vs ${seconds(2 * help)} (--help ${seconds(help)})`
          : 'not measured (needs /usr/bin/time)',
    });
  };
  add('run succeeded', result.status === 'succeeded', result.error ?? result.status);
  switch (result.name) {
    case 'initial': {
      const limit = result.reference.originalPaged.total / 3;
      add(
        'requests <= original (paged) / 3',
        result.requests.total <= limit,
        `${result.requests.total} vs ${Math.floor(limit)} (paged ${result.reference.originalPaged.total}; ` +
          `as coded ${result.reference.originalAsCoded.total})`,
      );
      add(
        'wall <= 1.25 x floor',
        result.wallMs <= 1.25 * result.reference.floor.totalMs,
        `${seconds(result.wallMs)} vs ${seconds(1.25 * result.reference.floor.totalMs)}` +
          (result.reference.machineFloorMs
            ? ` (at a bare request's ${result.reference.roundTrip!.msPerRequest.toFixed(1)} ms: ` +
              `floor ${seconds(result.reference.machineFloorMs)}, run ` +
              `${result.reference.wallVsMachineFloor!.toFixed(2)} x)`
            : ''),
      );
      break;
    }
    case 'hourly':
      writesMatch();
      break;
    case 'noop':
      nothingWritten();
      npxNoopVsHelp();
      processVsHelp();
      break;
    case 'scale': {
      add('peak RSS < 400 MB', result.peakRssMb < 400, `${fixed(result.peakRssMb, 0)} MB`);
      const initial = context.initial;
      const times = initial ? ratio(result.wallMs, initial.wallMs) : Number.NaN;
      const scaleBy = initial ? result.cases / initial.cases : 5;
      add(
        `wall <= ${fixed(scaleBy * 1.1, 1)} x initial`,
        initial !== undefined && times <= scaleBy * 1.1,
        initial ? `${fixed(times)} x` : 'no initial run to compare with',
      );
      break;
    }
    case 'scale-hourly': {
      writesMatch();
      const hourly = context.hourly;
      add(
        'wall <= 1.3 x hourly (same changes)',
        hourly !== undefined && result.wallMs <= 1.3 * hourly.wallMs,
        hourly
          ? `${seconds(result.wallMs)} vs ${seconds(1.3 * hourly.wallMs)} (${fixed(ratio(result.wallMs, hourly.wallMs))} x)`
          : 'no hourly run to compare with',
      );
      break;
    }
    case 'scale-noop': {
      nothingWritten();
      const noop = context.noop;
      add(
        'requests == no-op at first size',
        noop !== undefined && result.requests.total === noop.requests.total,
        noop
          ? `${result.requests.total} vs ${noop.requests.total}`
          : 'no no-op run to compare with',
      );
      npxNoopVsHelp();
      processVsHelp();
      break;
    }
    default:
      break;
  }
  return targets;
}

/** The start-up target: `--help` CPU against loading the main dependencies alone. */
export function startUpTargets(pairing: StartUpPairing, quick: boolean): Target[] {
  const { help, dependencies } = pairing;
  return [
    {
      name: '--help CPU <= 4 x dependencies alone',
      pass: help.cpuMs <= 4 * dependencies.cpuMs && pairing.helpStderr === '',
      enforced: !quick,
      detail:
        `${help.cpuMs} ms vs ${4 * dependencies.cpuMs} ms (${fixed(ratio(help.cpuMs, dependencies.cpuMs))} x)` +
        (pairing.helpStderr ? `; --help said: ${pairing.helpStderr.trim()}` : ''),
    },
  ];
}

/** The start-up pairing as the terminal shows it. */
export function formatStartUp(pairing: StartUpPairing, targets: Target[]): string {
  const { help, dependencies } = pairing;
  const lines = [
    `start-up (medians of ${pairing.rounds} alternated rounds, /usr/bin/time):`,
    `  interop --help              CPU ${help.cpuMs} ms, wall ${help.wallMs} ms, RSS ${fixed(help.peakRssMb, 0)} MB`,
    `  ${pad(MAIN_DEPENDENCIES.join(' + '), 27)} CPU ${dependencies.cpuMs} ms, wall ${dependencies.wallMs} ms, RSS ${fixed(dependencies.peakRssMb, 0)} MB`,
  ];
  for (const t of targets)
    lines.push(`${pad('start-up', 14)} ${pad(t.name, 36)} ${verdict(t)}  ${t.detail}`);
  return lines.join('\n');
}

const verdict = (t: Target) =>
  t.pass ? 'PASS' : t.enforced ? 'FAIL' : 'FAIL (reported, not enforced)';

export function exitCodeOf(results: ScenarioResult[], otherTargets: Target[] = []): number {
  const all = [...results.flatMap((result) => result.targets), ...otherTargets];
  return all.some((t) => t.enforced && !t.pass) ? 1 : 0;
}

const pad = (text: string, width: number) =>
  text.length >= width ? text : text + ' '.repeat(width - text.length);
const padLeft = (text: string, width: number) =>
  text.length >= width ? text : ' '.repeat(width - text.length) + text;

/** The short terminal table: one line per scenario, then one line per target. */
export function formatTable(results: ScenarioResult[]): string {
  const header = [
    'scenario',
    'held',
    'run s',
    'process s',
    'requests',
    'necessary',
    'orig coded',
    'orig paged',
    'writes',
    'RSS MB',
    'floor s',
    'run/floor',
  ];
  const label = (r: ScenarioResult) => (r.round ? `${r.name} ${r.round}` : r.name);
  const rows = results.map((r) => [
    label(r),
    String(r.cases),
    fixed(r.wallMs / 1000, 1),
    r.process ? fixed(r.process.wallMs / 1000, 1) : '-',
    String(r.requests.total),
    String(r.reference.necessary.total),
    String(r.reference.originalAsCoded.total),
    String(r.reference.originalPaged.total),
    String(r.writes.total),
    fixed(r.process?.peakRssMb ?? r.peakRssMb, 0),
    fixed(r.reference.floor.totalMs / 1000, 1),
    fixed(r.reference.wallVsFloor),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? pad(c, widths[i]!) : padLeft(c, widths[i]!))).join('  ');
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''];
  for (const r of results) {
    for (const t of r.targets)
      out.push(`${pad(label(r), 14)} ${pad(t.name, 36)} ${verdict(t)}  ${t.detail}`);
  }
  return out.join('\n');
}
