// Turning one benchmark run into figures: requests per endpoint and writes from the emulators'
// counters, records changed from their states, the targets of issue 9 as PASS/FAIL, the results
// file and the terminal table.
import { createHash } from 'node:crypto';
import type { StepId } from '../src/workflow/contract.ts';
import type { RequestBreakdown, WorkProfile } from './reference.ts';

export type ScenarioName = 'initial' | 'settle' | 'hourly' | 'noop' | 'scale';

export interface Target {
  name: string;
  pass: boolean;
  /** Whether a FAIL makes the bench exit non-zero (the quick variant enforces only the no-op one). */
  enforced: boolean;
  detail: string;
}

export interface ScenarioResult {
  name: ScenarioName;
  cases: number;
  clients: number;
  latencyMs: number;
  concurrency: number;
  status: 'succeeded' | 'failed' | 'refused';
  error?: string;
  wallMs: number;
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
    original: RequestBreakdown;
    /** The original counted as issue 9 words it (every client upserted a second time). */
    originalAsIssueReads: RequestBreakdown;
    necessary: RequestBreakdown;
    latencyFloorMs: number;
    requestsVsOriginal: number;
    wallVsFloor: number;
  };
  sync: { failedItems: number; failureReasons: string[]; steps?: unknown };
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
  /** Quick variant (--cases given): only the no-op zero-writes target is enforced. */
  quick: boolean;
  /** The 10 000-case (or --cases) initial run, for the scale ratio. */
  initial?: ScenarioResult;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.POSITIVE_INFINITY);
const fixed = (value: number, digits = 2) =>
  Number.isFinite(value) ? value.toFixed(digits) : 'inf';

/** The targets of issue 9 for one scenario. */
export function evaluateTargets(result: ScenarioResult, context: TargetContext): Target[] {
  const enforced = (name: ScenarioName) => !context.quick || name === 'noop';
  const targets: Target[] = [];
  const add = (name: string, pass: boolean, detail: string) =>
    targets.push({ name, pass, enforced: enforced(result.name), detail });
  add('run succeeded', result.status === 'succeeded', result.error ?? result.status);
  switch (result.name) {
    case 'initial': {
      const limit = result.reference.original.total / 3;
      add(
        'requests <= original / 3',
        result.requests.total <= limit,
        `${result.requests.total} vs ${Math.floor(limit)} (original ${result.reference.original.total}; ` +
          `${Math.floor(result.reference.originalAsIssueReads.total / 3)} if every client were upserted twice)`,
      );
      add(
        'wall <= 1.5 x latency floor',
        result.wallMs <= 1.5 * result.reference.latencyFloorMs,
        `${fixed(result.wallMs / 1000, 1)} s vs ${fixed((1.5 * result.reference.latencyFloorMs) / 1000, 1)} s`,
      );
      break;
    }
    case 'hourly':
      add(
        'writes == records changed',
        result.writes.total === result.profile.expectedWrites,
        `${result.writes.total} writes for ${result.profile.changedRecords} changed records`,
      );
      break;
    case 'noop':
      add('zero writes', result.writes.total === 0, `${result.writes.total} write requests`);
      add(
        'no record changed',
        result.recordsChanged.primero + result.recordsChanged.oscar === 0,
        `${result.recordsChanged.primero} Primero, ${result.recordsChanged.oscar} OSCaR records changed`,
      );
      break;
    case 'scale': {
      add('peak RSS < 512 MB', result.peakRssMb < 512, `${fixed(result.peakRssMb, 0)} MB`);
      const initial = context.initial;
      const times = initial ? ratio(result.wallMs, initial.wallMs) : Number.NaN;
      add(
        'wall <= 5.5 x initial',
        initial !== undefined && times <= 5.5,
        initial ? `${fixed(times)} x` : 'no initial run to compare with',
      );
      break;
    }
    default:
      break;
  }
  return targets;
}

export function exitCodeOf(results: ScenarioResult[]): number {
  return results.some((result) => result.targets.some((t) => t.enforced && !t.pass)) ? 1 : 0;
}

const pad = (text: string, width: number) =>
  text.length >= width ? text : text + ' '.repeat(width - text.length);
const padLeft = (text: string, width: number) =>
  text.length >= width ? text : ' '.repeat(width - text.length) + text;

/** The short terminal table: one line per scenario, then one line per target. */
export function formatTable(results: ScenarioResult[]): string {
  const header = [
    'scenario',
    'cases',
    'wall s',
    'requests',
    'necessary',
    'original',
    'req/orig',
    'writes',
    'RSS MB',
    'floor s',
    'wall/floor',
  ];
  const rows = results.map((r) => [
    r.name,
    String(r.cases),
    fixed(r.wallMs / 1000, 1),
    String(r.requests.total),
    String(r.reference.necessary.total),
    String(r.reference.original.total),
    fixed(r.reference.requestsVsOriginal),
    String(r.writes.total),
    fixed(r.peakRssMb, 0),
    fixed(r.reference.latencyFloorMs / 1000, 1),
    fixed(r.reference.wallVsFloor),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? pad(c, widths[i]!) : padLeft(c, widths[i]!))).join('  ');
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''];
  for (const r of results) {
    for (const t of r.targets) {
      const verdict = t.pass ? 'PASS' : t.enforced ? 'FAIL' : 'FAIL (reported, not enforced)';
      out.push(`${pad(r.name, 8)} ${pad(t.name, 30)} ${verdict}  ${t.detail}`);
    }
  }
  return out.join('\n');
}
