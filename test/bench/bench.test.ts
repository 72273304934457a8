// The benchmark's own pieces: seeds the emulators accept and that hold exactly the documented mix,
// the reference formulas of docs/performance.md, the targets and the exit code CI relies on.
import { describe, expect, it } from 'vitest';
import { exportPrimeroState, loadPrimeroSeed } from '../../demo/primero/state.ts';
import { exportOscarState, loadOscarSeed } from '../../demo/oscar/state.ts';
import { parseBenchArgs } from '../../bench/run.ts';
import { measureRoundTrip } from '../../bench/link-cost.ts';
import { startPrimeroEmulator } from '../../demo/primero/index.ts';
import {
  floorOf,
  measureWindow,
  necessaryWork,
  originalAsCoded,
  originalPaged,
} from '../../bench/reference.ts';
import type { WorkProfile } from '../../bench/reference.ts';
import {
  changedRecords,
  countDelta,
  evaluateTargets,
  exitCodeOf,
  startUpTargets,
  writesOf,
} from '../../bench/report.ts';
import type { ScenarioName, ScenarioResult, TargetContext } from '../../bench/report.ts';
import type { StartUpPairing } from '../../bench/start-up.ts';
import type { NpxPairing } from '../../bench/npx-pairing.ts';
import { benchPlan, marginWaitMs, settledQuietly } from '../../bench/plan.ts';
import { generateSeeds, planHourlyChanges } from '../../bench/seed.ts';
import { budgetTargets, measureLanding } from '../../bench/budget.ts';

const NOW = new Date('2026-03-15T10:00:00Z');

describe('bench seeds', () => {
  const seeds = generateSeeds({ cases: 1000, now: NOW });

  it('are deterministic: the same PRNG seed gives the same records', () => {
    expect(JSON.stringify(generateSeeds({ cases: 1000, now: NOW }))).toBe(JSON.stringify(seeds));
    expect(JSON.stringify(generateSeeds({ cases: 1000, now: NOW, seed: 7 }).primero)).not.toBe(
      JSON.stringify(seeds.primero),
    );
  });

  it('hold the documented mix exactly (10% referrals, 5% decisions, ...)', () => {
    expect(seeds.meta.primero).toEqual({
      referralToOscar: 100,
      decision: 50,
      link: 50,
      acceptedInOscar: 30,
      plain: 770,
    });
    expect(seeds.meta.oscar).toEqual({
      decisionPairs: 50,
      linkPairs: 50,
      acceptedPairs: 30,
      ngoReferrals: 200,
      ngoClients: 670,
    });
    const clients = (seeds.oscar.organizations as Array<{ clients: unknown[] }>).flatMap(
      (o) => o.clients,
    );
    expect(clients).toHaveLength(1000);
    expect(seeds.primero.cases).toHaveLength(1000);
  });

  it('load into both emulators, and the whole seed lies in the first window, before today', () => {
    const primero = exportPrimeroState(loadPrimeroSeed(seeds.primero)) as any;
    const oscar = exportOscarState(loadOscarSeed(seeds.oscar)) as any;
    const window = measureWindow(primero, oscar, { primero: seeds.since, oscar: seeds.since });
    expect(window.primeroWindowCases).toBe(1000);
    expect(window.oscarWindowClients).toBe(1000);
    expect(window.referralCandidates).toBe(100); // the accepted ones were referred before the window
    expect(window.decisionCandidates).toBe(50);
    expect(window.linkCandidates).toBe(100); // decision cases have an oscar_number and no referral row
    // Bytes of the JSON the listings carry: here every case and client is in the window.
    expect(window.primeroWindowBytes).toBe(window.primeroBytes);
    expect(window.primeroBytes).toBe(
      primero.cases.reduce((n: number, c: unknown) => n + Buffer.byteLength(JSON.stringify(c)), 0),
    );
    expect(window.oscarWindowBytes).toBeGreaterThan(1000 * 100);
    const today = NOW.toISOString().slice(0, 10);
    for (const record of primero.cases) expect(record.last_updated_at < today).toBe(true);
    // A window starting today lists none of them (OSCaR compares Part B by date).
    expect(
      measureWindow(primero, oscar, { primero: NOW.toISOString(), oscar: `${today} 00:00:00` }),
    ).toMatchObject({
      primeroCases: 1000,
      primeroWindowCases: 0,
      oscarWindowClients: 0,
      primeroWindowBytes: 0,
      oscarWindowBytes: 0,
    });
  });

  it('plan 1% hourly changes on each side, on records that exist', () => {
    const changes = planHourlyChanges(seeds.meta, 0.01);
    expect(changes.primero).toHaveLength(10);
    expect(changes.oscar).toHaveLength(10);
    const plain = new Set(seeds.meta.plainCaseIds);
    expect(changes.primero.every((change) => plain.has(change.id))).toBe(true);
    expect(new Set(changes.oscar.map((c) => c.globalId)).size).toBe(10);
  });
});

/** The pairing: medians of the no-op and of --help, both through npx. */
const npx = (noopWallMs: number, helpWallMs: number): NpxPairing => ({
  rounds: 3,
  noop: { wallMs: noopWallMs, cpuMs: 1, peakRssMb: 1 },
  help: { wallMs: helpWallMs, cpuMs: 1, peakRssMb: 1 },
  problems: [],
});

const profile = (over: Partial<WorkProfile> = {}): WorkProfile => ({
  primeroCases: 0,
  primeroWindowCases: 0,
  referringCases: 0,
  referralCandidates: 0,
  decisionCandidates: 0,
  linkCandidates: 0,
  oscarWindowClients: 0,
  clientsWithExternalId: 0,
  pendingCases: 0,
  primeroBytes: 0,
  primeroWindowBytes: 0,
  referralBytes: 0,
  oscarWindowBytes: 0,
  referralItems: 0,
  decisions: 0,
  links: 0,
  clientsToSync: 0,
  oscarDecisions: 0,
  changedRecords: 0,
  expectedWrites: 0,
  ...over,
});

describe('reference figures', () => {
  const initial = profile({
    primeroCases: 10_000,
    primeroWindowCases: 10_000,
    referringCases: 1300,
    referralCandidates: 1000,
    decisionCandidates: 500,
    linkCandidates: 1000,
    oscarWindowClients: 10_000,
    clientsWithExternalId: 300,
    pendingCases: 2500,
    referralItems: 1000,
    decisions: 500,
    links: 1000,
    clientsToSync: 10_000,
    oscarDecisions: 300,
  });

  it('count the original jobs as coded: one page of 1000 per listing, the first 20 pending (B3, B22)', () => {
    const original = originalAsCoded(initial);
    // f1-j1 1 + 3(1 + 1000); f1-j2 2 + 1000/10 + 1 + 1 (the first page's share); f2-j1 2;
    // f2-j2 1 + 4*300 + 300; f2-j3 1 + 2*9700 + 1 + 2*20
    expect(original.total).toBe(3004 + 104 + 2 + 1501 + 19_442);
    // The reading of the real code: about 25 000 requests at 10 000 + 10 000.
    expect(original.total).toBeGreaterThan(23_000);
    expect(original.total).toBeLessThan(26_000);
    // A window within one page is read whole.
    expect(originalAsCoded({ ...initial, primeroWindowCases: 800 }).parts).toMatchObject({
      'f1-j1 login + 3x(first page + referrals per case on it)': 1 + 3 * 801,
    });
  });

  it('count the original jobs as if they paged: the whole window at 1000 a page', () => {
    const original = originalPaged(initial);
    // f1-j1 1 + 3(10 + 10000); f1-j2 2 + 1000 + 1 + 1; f2-j1 2; f2-j2 1 + 4*300 + 300;
    // f2-j3 1 + 2*9700 + 125 + 2*2500
    expect(original.total).toBe(30_031 + 1004 + 2 + 1501 + 24_526);
  });

  it('count the necessary work per system, bytes as well as requests, and its floor', () => {
    const necessary = necessaryWork(initial);
    // 10 000 children to sync: one scan of Primero (a count + 10 pages) beats 10 000 finds.
    expect(necessary.primero.requests).toBe(1 + 10 + 1300 + (1 + 10) + 10_000 + 600);
    expect(necessary.oscar.requests).toBe(1 + 1000 + 1 + 1 + 1);
    expect(necessary.total).toBe(necessary.primero.requests + necessary.oscar.requests);
    // A handful of children: one find each.
    expect(
      necessaryWork({ ...initial, clientsToSync: 5 }).primero.parts[
        'look-ups of the children to sync'
      ],
    ).toBe(5);
    // Nothing changed: a sign-in and one page on Primero, a sign-in and the listing on OSCaR.
    expect(necessaryWork(profile()).total).toBe(4);

    // Bytes: the window's pages, the referrals read, the scan, one case's worth per write (3 KB).
    const sized = necessaryWork({
      ...initial,
      primeroBytes: 30e6,
      primeroWindowBytes: 30e6,
      referralBytes: 1e6,
      oscarWindowBytes: 20e6,
    });
    expect(sized.primero.bytes).toBe(30e6 + 1e6 + 30e6 + 10_000 * 3000);
    expect(sized.oscar.bytes).toBe(20e6 + 1000 * 2000);

    const link = { latencyMs: 20, concurrency: 4, bytesPerMs: 100_000 };
    const floor = floorOf(sized, link);
    expect(floor.primeroMs).toBe((sized.primero.requests * 20) / 4 + 91e6 / 100_000);
    // Without bytes, the old latency floor; the bytes add their own time, per system.
    expect(floorOf(necessary, { ...link, bytesPerMs: 0 }).totalMs).toBe((necessary.total * 20) / 4);
    expect(floor.totalMs).toBeCloseTo(floor.primeroMs + floor.oscarMs);
  });

  it('count a scan by its bytes too: a few children at 50 000 held are found one by one', () => {
    // 150 children, 50 000 cases of 3 KB: a scan is 51 requests but 150 MB to carry.
    const held = profile({ primeroCases: 50_000, primeroBytes: 150e6, clientsToSync: 150 });
    const slowBytes = { latencyMs: 20, concurrency: 4, bytesPerMs: 50_000 };
    expect(necessaryWork(held).primero.parts['look-ups of the children to sync']).toBe(51);
    expect(necessaryWork(held, slowBytes).primero.parts['look-ups of the children to sync']).toBe(
      150,
    );
  });
});

function result(name: ScenarioName, over: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    name,
    cases: 500,
    clients: 500,
    latencyMs: 20,
    concurrency: 4,
    status: 'succeeded',
    via: 'worker',
    wallMs: 1000,
    peakRssMb: 100,
    baselineRssMb: 90,
    peakRssAfterStepMb: {},
    nodeFlags: [],
    requests: { total: 10, byEndpoint: {} },
    writes: { total: 0, byEndpoint: {} },
    recordsChanged: { primero: 0, oscar: 0 },
    profile: profile(),
    reference: {
      originalAsCoded: { total: 60, parts: {} },
      originalPaged: { total: 60, parts: {} },
      necessary: {
        total: 10,
        parts: {},
        primero: { requests: 6, bytes: 0, parts: {} },
        oscar: { requests: 4, bytes: 0, parts: {} },
      },
      link: { latencyMs: 20, concurrency: 4, bytesPerMs: 0 },
      floor: { primeroMs: 600, oscarMs: 400, totalMs: 1000 },
      requestsVsOriginal: 10 / 60,
      wallVsFloor: 1,
    },
    sync: { failedItems: 0, failureReasons: [] },
    targets: [],
    ...over,
  };
}

const judged = (
  r: ScenarioResult,
  quick: boolean,
  initial?: ScenarioResult,
  more: Partial<TargetContext> = {},
) => ({
  ...r,
  targets: evaluateTargets(r, { quick, ...(initial ? { initial } : {}), ...more }),
});

const verdicts = (r: ScenarioResult) => r.targets.map((t) => [t.name, t.pass]);

const pairing = (helpCpuMs: number, dependenciesCpuMs: number): StartUpPairing => ({
  rounds: 5,
  help: { wallMs: 300, cpuMs: helpCpuMs, peakRssMb: 50 },
  dependencies: { wallMs: 400, cpuMs: dependenciesCpuMs, peakRssMb: 60 },
  helpStderr: '',
});

describe("a bare request's cost", () => {
  it('is timed from a process of its own, each request waiting the latency, the cheapest try kept', async () => {
    const primero = await startPrimeroEmulator({ latencyMs: 25 });
    try {
      const trip = await measureRoundTrip(primero, 2, { tries: 2, perLane: 4 });
      expect(trip.lanes).toBe(2);
      // Never below the latency: every request was answered before the next of its lane.
      expect(trip.msPerRequest).toBeGreaterThanOrEqual(25);
      // Two tries of two lanes, each lane one request to open its connection and four timed.
      expect(primero.requestCounts()).toEqual({ 'GET /api/v2/cases': 2 * 2 * 5 });
    } finally {
      await primero.close();
    }
  });
});

describe('targets and exit code', () => {
  it('fail the quick variant when the no-op run writes anything', () => {
    for (const name of ['noop', 'scale-noop'] as const) {
      const noop = judged(
        result(name, { writes: { total: 1, byEndpoint: { 'oscar PUT /x': 1 } } }),
        true,
      );
      expect(noop.targets.find((t) => t.name === 'zero writes')).toMatchObject({
        pass: false,
        enforced: true,
      });
      expect(exitCodeOf([noop])).toBe(1);
      expect(exitCodeOf([judged(result(name), true)])).toBe(0);
    }
  });

  it('report but do not enforce the other targets in the quick variant; the full run enforces all', () => {
    const slow = result('initial', { wallMs: 5000, requests: { total: 50, byEndpoint: {} } });
    const quick = judged(slow, true);
    expect(quick.targets.filter((t) => !t.pass).map((t) => t.name)).toEqual([
      'requests <= original (paged) / 3',
      'wall <= 1.25 x floor',
    ]);
    expect(exitCodeOf([quick])).toBe(0);
    expect(exitCodeOf([judged(slow, false)])).toBe(1);
    // A slow no-op process through npx (the pairing) is reported in the quick variant,
    // enforced in the full run; the stricter pairing without npx is information only.
    const startUp = pairing(100, 100);
    const noopVia = (npxNoopMs: number, processMs: number) =>
      result('noop', {
        via: 'cli',
        process: { wallMs: processMs, cpuMs: 1, peakRssMb: 1 },
        npxPairing: npx(npxNoopMs, 300),
      });
    expect(exitCodeOf([judged(noopVia(601, 100), true, undefined, { startUp })])).toBe(0);
    expect(exitCodeOf([judged(noopVia(601, 100), false, undefined, { startUp })])).toBe(1);
    const strictOnly = judged(noopVia(600, 900), false, undefined, { startUp });
    expect(strictOnly.targets.find((t) => t.name.includes('node --help'))).toMatchObject({
      pass: false,
      enforced: false,
    });
    expect(exitCodeOf([strictOnly])).toBe(0);
  });

  it('judge the no-op run at the scale size by its requests and both no-op processes by --help', () => {
    const startUp = pairing(100, 100); // --help: 300 ms wall
    const noop = result('noop', { requests: { total: 28, byEndpoint: {} } });
    const scaleNoop = (requests: number, processMs: number, pairs = npx(processMs, 300)) =>
      verdicts(
        judged(
          result('scale-noop', {
            via: 'cli',
            requests: { total: requests, byEndpoint: {} },
            process: { wallMs: processMs, cpuMs: 100, peakRssMb: 80 },
            npxPairing: pairs,
          }),
          false,
          undefined,
          { noop, startUp },
        ),
      );
    expect(scaleNoop(28, 600)).toEqual([
      ['run succeeded', true],
      ['zero writes', true],
      ['no record changed', true],
      ['requests == no-op at first size', true],
      ['npx no-op <= 2 x npx interop --help', true],
      ['process <= 2 x node --help (info)', true],
    ]);
    expect(scaleNoop(29, 601).slice(3)).toEqual([
      ['requests == no-op at first size', false],
      ['npx no-op <= 2 x npx interop --help', false],
      ['process <= 2 x node --help (info)', false],
    ]);
    // A no-op through npx that wrote anything, or did not succeed, cannot pass.
    const wrote = {
      ...npx(100, 300),
      problems: ['the no-op runs through npx made 1 write requests'],
    };
    expect(scaleNoop(28, 100, wrote)[4]).toEqual(['npx no-op <= 2 x npx interop --help', false]);
    // A run not timed as a whole process (no /usr/bin/time) cannot pass either target.
    const untimed = judged(result('noop'), false, undefined, { startUp }).targets;
    expect(untimed.filter((t) => t.detail === 'not measured (needs /usr/bin/time)')).toHaveLength(
      2,
    );
  });

  it('judge --help CPU against loading the main dependencies alone, enforced in the full run', () => {
    expect(startUpTargets(pairing(400, 100), false)[0]).toMatchObject({
      pass: true,
      enforced: true,
    });
    expect(startUpTargets(pairing(401, 100), false)[0]!.pass).toBe(false);
    expect(exitCodeOf([], startUpTargets(pairing(401, 100), false))).toBe(1);
    expect(exitCodeOf([], startUpTargets(pairing(401, 100), true))).toBe(0);
    // A --help that fell back to tsx did not measure the build: never a PASS.
    expect(
      startUpTargets(
        { ...pairing(100, 100), helpStderr: 'interop: dist/cli is not built' },
        false,
      )[0]!.pass,
    ).toBe(false);
  });

  it('count writes from the request counters without sign-ins, and changed records by fingerprint', () => {
    const delta = countDelta(
      'primero',
      { 'GET /api/v2/cases': 2, 'POST /api/v2/tokens': 1 },
      { 'GET /api/v2/cases': 5, 'POST /api/v2/tokens': 2, 'PATCH /api/v2/cases/:id': 3 },
    );
    expect(delta).toEqual({
      'primero GET /api/v2/cases': 3,
      'primero POST /api/v2/tokens': 1,
      'primero PATCH /api/v2/cases/:id': 3,
    });
    expect(writesOf({ ...delta, 'oscar POST /api/v1/admin_auth/sign_in': 1 }).total).toBe(3);
    const before = new Map([
      ['case:a', 'x'],
      ['case:b', 'y'],
    ]);
    expect(
      changedRecords(
        before,
        new Map([
          ['case:a', 'x'],
          ['case:b', 'z'],
          ['case:c', 'w'],
        ]),
      ),
    ).toBe(2);
  });
});

describe('bench arguments', () => {
  it('--cases makes the quick variant, with scale at twice the cases', () => {
    expect(parseBenchArgs(['--cases', '500'])).toMatchObject({
      quick: true,
      cases: 500,
      scaleCases: 1000,
      latencyMs: 20,
      concurrency: 4,
    });
    expect(parseBenchArgs([])).toMatchObject({ quick: false, cases: 10_000, scaleCases: 50_000 });
    expect(parseBenchArgs(['--latency-ms', '0', '--concurrency', '8'])).toMatchObject({
      latencyMs: 0,
      concurrency: 8,
    });
  });

  it('runs the earlier scenarios a later one continues from', () => {
    expect(parseBenchArgs(['--scenarios', 'noop']).scenarios).toEqual([
      'initial',
      'settle',
      'hourly',
      'noop',
    ]);
    expect(parseBenchArgs(['--scenarios', 'scale']).scenarios).toEqual(['scale']);
    // The scale size's hourly and no-op runs continue the scale store: 50 000 are synced once.
    expect(parseBenchArgs(['--scenarios', 'scale-noop']).scenarios).toEqual([
      'scale',
      'scale-settle',
      'scale-hourly',
      'scale-noop',
    ]);
    expect(parseBenchArgs([]).scenarios).toEqual([
      'initial',
      'settle',
      'hourly',
      'noop',
      'scale',
      'scale-settle',
      'scale-hourly',
      'scale-noop',
    ]);
  });

  it('refuses values it cannot use, naming the option', () => {
    expect(() => parseBenchArgs(['--cases', 'many'])).toThrow(/--cases must be a whole number/);
    expect(() => parseBenchArgs(['--scenarios', 'weekly'])).toThrow(/unknown scenario "weekly"/);
    expect(() => parseBenchArgs(['--concurrency', '17'])).toThrow(
      /--concurrency must be at most 16/,
    );
  });
});

describe('the budget scenario', () => {
  it('runs only when asked for by name, at 200 ms and a 240 s budget unless told otherwise', () => {
    expect(parseBenchArgs([]).budget).toBeUndefined();
    expect(parseBenchArgs(['--cases', '500']).budget).toBeUndefined();
    const alone = parseBenchArgs(['--scenario', 'budget']);
    expect(alone.scenarios).toEqual([]);
    expect(alone.budget).toMatchObject({ cases: 10_000, latencyMs: 200, budgetSeconds: 240 });
    expect(
      parseBenchArgs(['--scenario', 'budget', '--budget-seconds', '60', '--cases', '1000']).budget,
    ).toMatchObject({ cases: 1000, budgetSeconds: 60 });
  });

  const options = { cases: 100, latencyMs: 200, concurrency: 4, budgetSeconds: 240, maxRuns: 40 };
  const landing = {
    oscarReferrals: 13,
    duplicateReferrals: 0,
    expectedReferrals: 13,
    children: 87,
    childrenMissing: 0,
    childrenDuplicated: 0,
  };
  const run = (n: number, wallSeconds: number, stopped = true) => ({
    run: n,
    status: 'succeeded' as const,
    wallSeconds,
    peakRssMb: 200,
    ...(stopped ? { stopped: 'Stopped at the time budget' } : {}),
  });

  it('passes when no run outlived the budget and every record landed once', () => {
    const targets = budgetTargets([run(1, 229), run(2, 120, false)], landing, options);
    expect(targets.map((t) => [t.name, t.pass])).toEqual([
      ['no run over its budget', true],
      ['every record landed once', true],
    ]);
  });

  it('fails a run over its budget, a duplicate, a missing child, or an unfinished window', () => {
    const [over] = budgetTargets([run(1, 241), run(2, 10, false)], landing, options);
    expect(over!.pass).toBe(false);
    const twice = budgetTargets(
      [run(1, 10, false)],
      { ...landing, duplicateReferrals: 1 },
      options,
    );
    expect(twice[1]!.pass).toBe(false);
    const missing = budgetTargets([run(1, 10, false)], { ...landing, childrenMissing: 1 }, options);
    expect(missing[1]!.pass).toBe(false);
    const unfinished = budgetTargets([run(1, 10)], landing, options);
    expect(unfinished[1]!.pass).toBe(false);
    expect(unfinished[1]!.detail).toMatch(/not done after 1 runs/);
  });

  it('counts landings from the emulators’ states: duplicates and missing children show', () => {
    const seeds = { meta: { primero: { referralToOscar: 2 }, ngoGlobalIds: ['G1', 'G2'] } };
    const referral = (external_id: string) => ({
      referred_from: 'primero',
      external_id,
      referred_to: 'cif',
      services: ['s'],
    });
    const oscar = {
      organizations: [{ referrals: [referral('c1'), referral('c2'), referral('c2')] }],
    };
    const primero = { cases: [{ oscar_number: 'G1' }, { oscar_number: 'G1' }] };
    expect(measureLanding(primero, oscar, seeds as never, 0)).toEqual({
      oscarReferrals: 3,
      duplicateReferrals: 1,
      expectedReferrals: 2,
      children: 2,
      childrenMissing: 1,
      childrenDuplicated: 1,
    });
  });
});

describe('the order of the runs, and the wait', () => {
  const all = parseBenchArgs([]).scenarios;
  const steps = (quick: boolean, scenarios = all) =>
    benchPlan({ quick, scenarios }).map((step) => `${step.track} ${step.do}`);

  it("interleaves the full run: the scale run fills the first size's wait for the margin", () => {
    expect(steps(false)).toEqual([
      'first initial',
      'first first-settle',
      'scale initial',
      'first settle-until-quiet',
      'first hourly-and-noop',
      'scale first-settle',
      'scale settle-until-quiet',
      'scale hourly-and-noop',
    ]);
    // One size alone still settles until quiet, waiting where it must.
    expect(steps(false, parseBenchArgs(['--scenarios', 'noop']).scenarios)).toEqual([
      'first initial',
      'first first-settle',
      'first settle-until-quiet',
      'first hourly-and-noop',
    ]);
  });

  it('runs the quick variant in order, settling once, never waiting', () => {
    expect(steps(true)).toEqual([
      'first initial',
      'first first-settle',
      'first hourly-and-noop',
      'scale initial',
      'scale first-settle',
      'scale hourly-and-noop',
    ]);
    expect(settledQuietly(1, 6700, true)).toBe(true);
  });

  it('settles until a run that started after the margin wrote nothing', () => {
    expect(settledQuietly(1, 0, false)).toBe(false); // not preceded by the wait
    expect(settledQuietly(2, 3, false)).toBe(false);
    expect(settledQuietly(2, 0, false)).toBe(true);
  });

  it('waits the margin and a second since the last run ended, and no more', () => {
    const margin = 600_000;
    expect(marginWaitMs(1_000_000, 1_000_000, margin)).toBe(601_000);
    expect(marginWaitMs(1_000_000, 1_500_000, margin)).toBe(101_000);
    expect(marginWaitMs(1_000_000, 1_601_000, margin)).toBe(0);
    expect(marginWaitMs(1_000_000, 9_000_000, margin)).toBe(0);
  });
});
