// Guarantee 1: transient faults lose nothing and duplicate nothing. Every endpoint the sync uses
// gets scripted 5xx bursts, 429 with Retry-After, HTML error pages, dropped connections and
// timeouts; the run completes (or fails and the next one completes) and both systems end exactly
// as after uninterrupted runs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../demo/common/harness.ts';
import type { Systems } from '../e2e/helpers.ts';
import {
  FAST,
  digest,
  expectNoLeaks,
  reference,
  runUntilQuiet,
  runWith,
  seen,
  worldSystems,
} from './harness.ts';

/** Every route the sync calls on the world (checked against a clean run below). */
const PRIMERO_ROUTES = [
  'POST /api/v2/tokens',
  'GET /api/v2/cases',
  // The read-back that confirms a create (Primero answers 204 with no record).
  'GET /api/v2/cases/:id',
  'GET /api/v2/cases/:id/referrals',
  'POST /api/v2/cases',
  'PATCH /api/v2/cases/:id',
];
const OSCAR_ROUTES = [
  'POST /api/v1/admin_auth/sign_in',
  'GET /api/v1/organizations/clients',
  'POST /api/v1/organizations/clients/upsert',
  'PUT /api/v1/organizations/clients/update_links',
  'PUT /api/v1/organizations/referrals/update_statuses',
];
const UPSERT = 'POST /api/v1/organizations/clients/upsert';
const ALL = [
  ...PRIMERO_ROUTES.map((route) => ({ system: 'primero' as const, route })),
  ...OSCAR_ROUTES.map((route) => ({ system: 'oscar' as const, route })),
];

let expected: Awaited<ReturnType<typeof reference>>;
let systems: Systems | undefined;
beforeAll(async () => {
  expected = await reference();
});
afterEach(async () => {
  await systems?.close();
  systems = undefined;
});
afterAll(() => expectNoLeaks(seen));

function faultEvery(
  systemsUnderTest: Systems,
  rule: (route: string) => Omit<FaultRule, 'route'> | undefined,
) {
  for (const system of ['primero', 'oscar'] as const) {
    const routes = system === 'primero' ? PRIMERO_ROUTES : OSCAR_ROUTES;
    const rules = routes.flatMap((route) => {
      const r = rule(route);
      return r ? [{ route, ...r }] : [];
    });
    systemsUnderTest[system].setFaults({ rules });
  }
}

describe('the endpoints under test', () => {
  it('are exactly the ones a clean run uses', async () => {
    systems = await worldSystems();
    await runUntilQuiet(systems);
    const used = (counts: Record<string, number>) => Object.keys(counts).sort();
    expect(used(systems.primero.requestCounts())).toEqual([...PRIMERO_ROUTES].sort());
    expect(used(systems.oscar.requestCounts())).toEqual([...OSCAR_ROUTES].sort());
  });
});

describe('bursts shorter than the retry budget, on every endpoint at once', () => {
  const bursts: Array<[string, (route: string) => Omit<FaultRule, 'route'>]> = [
    ['503 twice', () => ({ status: 503, times: 2 })],
    [
      '429 with Retry-After: 0, three times',
      () => ({ status: 429, retryAfterSeconds: 0, times: 3 }),
    ],
    // An upsert answered 500/502 may have been applied: never repeated (see the next describe).
    [
      '500 twice',
      (route) => (route === UPSERT ? { status: 503, times: 2 } : { status: 500, times: 2 }),
    ],
    [
      'a proxy 502 HTML page twice',
      (route) =>
        route === UPSERT
          ? { status: 503, times: 2, body: '<html><body>Service unavailable</body></html>' }
          : { status: 502, times: 2, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' },
    ],
  ];
  it.each(bursts)(
    '%s: the first run completes, nothing lost or duplicated',
    async (_name, rule) => {
      systems = await worldSystems();
      faultEvery(systems, rule);
      const runs = await runUntilQuiet(systems);
      expect(runs[0]!.summary.error).toBeUndefined();
      expect(runs[0]!.summary.failed).toEqual([]);
      expect(digest(systems)).toEqual(expected);
      // Every endpoint really was faulted and retried.
      for (const { system, route } of ALL) {
        expect(systems[system].requestCounts()[route], route).toBeGreaterThan(1);
      }
    },
  );
});

describe('an outage longer than the retry budget, one endpoint at a time', () => {
  it.each(ALL)(
    '$system $route down for a whole run: the next run completes',
    async ({ system, route }) => {
      systems = await worldSystems();
      systems[system].setFaults({ rules: [{ route, status: 503 }] });
      const first = await runWith(systems, undefined);
      // Either the step failed (cursors stay) or the endpoint's items failed and are retried.
      if (first.summary.ok) expect(first.summary.failed.length).toBeGreaterThan(0);
      else expect(first.summary.error).toMatch(/503/);
      systems[system].setFaults({});
      const after = await runUntilQuiet(systems, first.next);
      expect(after.at(-1)!.next.retries).toEqual([]);
      expect(after.at(-1)!.next.deadLetters).toEqual([]);
      expect(digest(systems)).toEqual(expected);
    },
  );
});

describe('connections dropped in the middle of writes (the write applied, the answer lost)', () => {
  const writes = ALL.filter(
    ({ route }) => /^(POST|PUT|PATCH) /.test(route) && !/tokens|sign_in/.test(route),
  );
  it.each(writes.filter(({ route }) => route !== UPSERT))(
    '$system $route: repeated, applied once',
    async ({ system, route }) => {
      systems = await worldSystems();
      systems[system].setFaults({ rules: [{ route, drop: true, afterBody: true, times: 1 }] });
      const runs = await runUntilQuiet(systems);
      expect(runs[0]!.summary.error).toBeUndefined();
      expect(runs.at(-1)!.next.deadLetters).toEqual([]);
      expect(digest(systems)).toEqual(expected);
    },
  );
  // The transport's timer has a one-second resolution: two routes keep the suite fast.
  it.each(
    writes.filter(({ route }) => ['PATCH /api/v2/cases/:id', OSCAR_ROUTES[4]].includes(route)),
  )(
    '$system $route answered after the client gave up: repeated, applied once',
    async ({ system, route }) => {
      systems = await worldSystems();
      systems[system].setFaults({
        rules: [{ route, delayMs: 1300, afterBody: true, times: 1 }],
      });
      const runs = await runUntilQuiet(systems, undefined, {
        settings: { http: { ...FAST.http, timeoutMs: 100 } },
      });
      expect(runs[0]!.logs.join('\n')).toMatch(/no answer \(UND_ERR_HEADERS_TIMEOUT\)/);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(runs.at(-1)!.next.deadLetters).toEqual([]);
      expect(digest(systems)).toEqual(expected);
    },
  );
});
