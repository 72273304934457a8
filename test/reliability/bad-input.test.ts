// Guarantee 4: bad input from either side fails alone. Each kind of bad record gets a clear
// per-item reason (ids only), the rest of the batch lands exactly as in a clean run, and the item
// is retried on the next runs and dead-lettered at maxAttempts (behaviour.md). Unreadable answers
// (an HTML page, an empty 200) fail the step, so nothing moves and the next run does the window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Systems } from '../e2e/helpers.ts';
import type { FailedItem } from '../../src/workflow/contract.ts';
import {
  digest,
  expectNoLeaks,
  reference,
  runUntilQuiet,
  runWith,
  seen,
  worldSystems,
} from './harness.ts';
import { mosvyChild, referralOf, row, worldSeeds } from './world.ts';
import type { WorldSeeds } from './world.ts';

type Org = WorldSeeds['oscar']['organizations'][number];

const org = (seeds: WorldSeeds, name: string) =>
  seeds.oscar.organizations.find((o) => o.short_name === name)! as Org & {
    clients: any[];
    referrals: any[];
  };
const uuidOf = (seeds: WorldSeeds, name: string) =>
  (seeds.oscar.services as Array<{ uuid: string; name: string }>).find((s) => s.name === name)!
    .uuid;

/** An NGO client in tenant `tenant` (a plain NGO case unless `extra` says otherwise). */
function addClient(seeds: WorldSeeds, tenant: string, extra: Record<string, unknown>) {
  const clients = org(seeds, tenant).clients;
  const id = clients.length + 1;
  clients.push({
    id,
    slug: `bad-${tenant}-${id}`,
    given_name: 'Invented',
    family_name: 'Bad',
    gender: 'male',
    date_of_birth: '2012-01-01',
    village_code: '12010101',
    status: 'Active',
    created_at: '2025-03-02T08:00:00.000Z',
    ...extra,
  });
  return id;
}

/** A Primero child referred to an NGO, its referral in progress. */
function addReferral(
  seeds: WorldSeeds,
  n: number,
  caseExtra: Record<string, unknown>,
  rowExtra = {},
  referralExtra = {},
) {
  seeds.primero.cases.push(
    mosvyChild(n, { services_section: [row(`bad-svc-${n}`, rowExtra)], ...caseExtra }),
  );
  seeds.primero.referrals.push(referralOf(n, `bad-svc-${n}`, referralExtra));
}

/**
 * OSCaR's real listing, once, with `change` applied to it as f2-j1 receives it (f2-j1 reads with
 * since_date; f1-j2's look-up of who holds a known child reads without).
 */
async function alterOscarListing(systems: Systems, change: (clients: any[]) => void) {
  systems.oscar.setFaults({
    rules: [
      {
        route: 'GET /api/v1/organizations/clients',
        withQuery: 'since_date',
        times: 1,
        transform: (listing: any) => (change(listing.data), listing),
      },
    ],
  });
}

/** Primero's real window listing, once, with `change` applied to it as f1-j1 receives it. */
async function alterPrimeroListing(systems: Systems, change: (cases: any[]) => void) {
  systems.primero.setFaults({
    rules: [
      {
        route: 'GET /api/v2/cases',
        times: 1,
        transform: (listing: any) => (change(listing.data), listing),
      },
    ],
  });
}

interface BadInput {
  kind: string;
  seed?(seeds: WorldSeeds): void;
  respond?(systems: Systems): Promise<void>;
  /** The item that fails alone: its key and reason. */
  fails?: Array<{ key: string | RegExp; reason: RegExp }>;
  /** Or the step fails as a whole (an unreadable answer): the run's error. */
  runError?: RegExp;
  /** Digest lines about the bad record itself, left out of the comparison with the clean run. */
  about?: RegExp;
  /** What must hold for the bad record when it lands after all. */
  lands?(systems: Systems): void;
}

const LONG_NOTE = 'n'.repeat(50_000);

const casesWith = (sys: Systems, globalId: string): any[] =>
  (sys.primero.state() as { cases: any[] }).cases.filter((c) => c.oscar_number === globalId);
const clientOf = (sys: Systems, globalId: string): any =>
  (sys.oscar.state() as { organizations: Array<{ clients: any[] }> }).organizations
    .flatMap((o) => o.clients)
    .find((c) => c.global_id === globalId);
const referralsOf = (sys: Systems, caseId: string): any[] =>
  (sys.oscar.state() as { organizations: Array<{ referrals: any[] }> }).organizations
    .flatMap((o) => o.referrals)
    .filter((r) => r.external_id === caseId);

const TABLE: BadInput[] = [
  // OSCaR -> Primero
  {
    kind: 'OSCaR client without global_id',
    about: /"client":null/,
    fails: [
      { key: /^f2-j1:client:/, reason: /global_id: Invalid input: expected string, received null/ },
    ],
    seed: (s) => void addClient(s, 'mtp', { global_id: null, slug: 'no-gid' }),
  },
  {
    kind: 'OSCaR global_id held by clients of two NGOs',
    about: /G-BAD-TWICE/,
    lands: (sys) => expect(casesWith(sys, 'G-BAD-TWICE')).toHaveLength(1),
    seed: (s) => {
      addClient(s, 'mtp', { global_id: 'G-BAD-TWICE' });
      addClient(s, 'kmr', { global_id: 'G-BAD-TWICE', given_name: 'Other' });
    },
  },
  {
    kind: 'two Primero cases with the same oscar_number',
    fails: [
      {
        key: 'f1-j2:link:rel-case-21',
        reason: /^ambiguous match: 2 Primero cases have oscar_number G-BAD-AMB/,
      },
      {
        key: 'f1-j2:link:rel-case-22',
        reason: /^ambiguous match: 2 Primero cases have oscar_number G-BAD-AMB/,
      },
      {
        key: 'f2-j2:case:G-BAD-AMB',
        reason: /^ambiguous match: 2 Primero cases have oscar_number G-BAD-AMB/,
      },
    ],
    about: /G-BAD-AMB/,
    lands: (sys) => {
      // Neither case was touched, and OSCaR was not told either of them.
      expect(
        casesWith(sys, 'G-BAD-AMB')
          .map((c) => c.owned_by)
          .sort(),
      ).toEqual(['keep-21', 'keep-22']);
      expect(clientOf(sys, 'G-BAD-AMB').external_id ?? null).toBeNull();
    },
    seed: (s) => {
      addClient(s, 'mtp', { global_id: 'G-BAD-AMB' });
      s.primero.cases.push(mosvyChild(21, { oscar_number: 'G-BAD-AMB', owned_by: 'keep-21' }));
      s.primero.cases.push(mosvyChild(22, { oscar_number: 'G-BAD-AMB', owned_by: 'keep-22' }));
    },
  },
  {
    kind: 'unknown province (village code of province 31)',
    fails: [
      {
        key: 'f2-j2:case:G-BAD-PROV',
        reason: /province 31, which is not one of Cambodia's provinces/,
      },
    ],
    about: /G-BAD-PROV/,
    seed: (s) => {
      const id = addClient(s, 'tlc', {
        global_id: 'G-BAD-PROV',
        referred_external: true,
        village_code: '31010101',
      });
      org(s, 'tlc').referrals.push({
        id: 1,
        client_id: id,
        client_global_id: 'G-BAD-PROV',
        ngo_name: 'primero',
        referred_to: 'primero',
        referral_status: 'Referred',
        level_of_risk: 'high',
        services: [uuidOf(s, 'Kinship care')],
        created_at: '2025-03-02T08:00:00.000Z',
      });
    },
  },
  {
    kind: 'unknown agency (an OSCaR tenant missing from agencies.json)',
    fails: [
      {
        key: 'f2-j2:case:G-BAD-AGENCY',
        reason: /organisation "zzz": add it to src\/mapping\/agencies.json/,
      },
    ],
    about: /G-BAD-AGENCY/,
    seed: (s) => {
      s.oscar.organizations.push({
        id: 90,
        short_name: 'zzz',
        full_name: 'Unknown NGO',
        integrated: true,
        address_code: '120101',
        clients: [],
        referrals: [],
      });
      addClient(s, 'zzz', { global_id: 'G-BAD-AGENCY' });
    },
  },
  {
    kind: 'unknown service name on an NGO referral',
    fails: [
      {
        key: 'f2-j2:case:G-BAD-SVC',
        reason:
          /"Unlisted therapy" is not in the service table: add a row for it to src\/mapping\/services.json/,
      },
    ],
    about: /G-BAD-SVC/,
    seed: (s) => {
      (s.oscar.services as any[]).push({
        uuid: '00000000-0000-4000-8000-0000000009ff',
        name: 'Unlisted therapy',
      });
      const id = addClient(s, 'holt', {
        global_id: 'G-BAD-SVC',
        referred_external: true,
        village_code: '08020304',
      });
      org(s, 'holt').referrals.push({
        id: 1,
        client_id: id,
        client_global_id: 'G-BAD-SVC',
        ngo_name: 'primero',
        referred_to: 'primero',
        referral_status: 'Referred',
        level_of_risk: 'high',
        services: ['00000000-0000-4000-8000-0000000009ff'],
        created_at: '2025-03-02T08:00:00.000Z',
      });
    },
  },
  {
    kind: 'birth date 22012-01-01 in OSCaR',
    about: /G-REL-NGO/,
    lands: (sys) => expect(casesWith(sys, 'G-REL-NGO')[0]!.date_of_birth).toBe('2012-01-01'),
    respond: (sys) =>
      alterOscarListing(
        sys,
        (clients) =>
          (clients.find((c) => c.global_id === 'G-REL-NGO').date_of_birth = '22012-01-01'),
      ),
  },
  {
    kind: 'impossible birth date 2014-02-30 in OSCaR',
    fails: [{ key: 'f2-j2:case:G-BAD-DATE', reason: /^Date of birth is not a real calendar date/ }],
    about: /G-BAD-DATE/,
    seed: (s) => void addClient(s, 'mtp', { global_id: 'G-BAD-DATE', date_of_birth: '2014-02-30' }),
  },
  {
    kind: 'wrong JSON types in an OSCaR client',
    fails: [
      {
        key: 'f2-j1:client:G-REL-NGO',
        reason:
          /gender: Invalid input: expected string, received array; date_of_birth: Invalid input: expected string, received number/,
      },
    ],
    respond: (sys) =>
      alterOscarListing(sys, (clients) => {
        const c = clients.find((x) => x.global_id === 'G-REL-NGO');
        c.date_of_birth = 20110214;
        c.gender = ['female'];
      }),
  },
  {
    kind: 'null where a list belongs in an OSCaR client',
    lands: (sys) => expect(casesWith(sys, 'G-REL-NGO')).toHaveLength(1),
    respond: (sys) =>
      alterOscarListing(sys, (clients) => {
        const c = clients.find((x) => x.global_id === 'G-REL-NGO');
        for (const key of Object.keys(c)) if (Array.isArray(c[key])) c[key] = null;
      }),
  },
  {
    kind: 'a 50 000-character referral reason from OSCaR',
    about: /G-BAD-LONG/,
    lands: (sys) =>
      expect(
        casesWith(sys, 'G-BAD-LONG')[0]!.services_section[0].referral_notes_from_oscar_2e787b8,
      ).toBe(LONG_NOTE),
    seed: (s) => {
      const id = addClient(s, 'holt', {
        global_id: 'G-BAD-LONG',
        referred_external: true,
        village_code: '08020304',
      });
      org(s, 'holt').referrals.push({
        id: 1,
        client_id: id,
        client_global_id: 'G-BAD-LONG',
        ngo_name: 'primero',
        referred_to: 'primero',
        referral_status: 'Referred',
        level_of_risk: 'high',
        referral_reason: LONG_NOTE,
        services: [uuidOf(s, 'Kinship care')],
        created_at: '2025-03-02T08:00:00.000Z',
      });
    },
  },
  {
    kind: 'Khmer-only names, script and SQL fragments in OSCaR names',
    about: /G-BAD-TEXT/,
    lands: (sys) => {
      const [child] = casesWith(sys, 'G-BAD-TEXT');
      expect(child!.name_first).toBe('ស្រីមុំ (<script>alert(1)</script>)');
      expect(child!.name_last).toBe("វិបុល (x'); DROP TABLE cases;--)");
    },
    seed: (s) =>
      void addClient(s, 'mtp', {
        global_id: 'G-BAD-TEXT',
        given_name: '<script>alert(1)</script>',
        family_name: "x'); DROP TABLE cases;--",
        local_given_name: 'ស្រីមុំ',
        local_family_name: 'វិបុល',
      }),
  },
  {
    kind: 'an HTML error page (200) where OSCaR JSON was expected',
    runError:
      /^Step f2-j1 \(get OSCaR cases\) failed: oscar answered GET \/api\/v1\/organizations\/clients with a non-JSON body \(status 200\)$/,
    respond: async (sys) =>
      sys.oscar.setFaults({
        rules: [
          {
            route: 'GET /api/v1/organizations/clients',
            withQuery: 'since_date',
            status: 200,
            body: '<html><body>Maintenance</body></html>',
            times: 1,
          },
        ],
      }),
  },
  {
    kind: 'a 200 with an empty body from OSCaR',
    runError:
      /^Step f2-j1 \(get OSCaR cases\) failed: OSCaR answered GET \/api\/v1\/organizations\/clients with an unexpected body/,
    respond: async (sys) =>
      sys.oscar.setFaults({
        rules: [
          {
            route: 'GET /api/v1/organizations/clients',
            withQuery: 'since_date',
            status: 200,
            body: '',
            times: 1,
          },
        ],
      }),
  },
  // Primero -> OSCaR
  {
    kind: 'Primero referral to an unknown agency',
    fails: [
      {
        key: 'f1-j2:referral:rel-case-31:bad-svc-31',
        reason:
          /^unknown agency agency-nowhere on service row bad-svc-31: add nowhere to src\/mapping\/agencies.json/,
      },
    ],
    about: /b000-000000000031|rel-case-31/,
    seed: (s) => addReferral(s, 31, {}, { service_implementing_agency: 'agency-nowhere' }),
  },
  {
    kind: 'Primero referral of an unmapped service subtype',
    fails: [
      {
        key: 'f1-j2:referral:rel-case-32:bad-svc-32',
        reason:
          /"no_such_subtype" is not in the service table: add a row for it to src\/mapping\/services.json/,
      },
    ],
    about: /b000-000000000032|rel-case-32/,
    seed: (s) => addReferral(s, 32, {}, { service_subtype: ['no_such_subtype'] }),
  },
  {
    kind: 'Primero referral without a risk level',
    fails: [
      {
        key: 'f1-j2:referral:rel-case-33:bad-svc-33',
        reason: /^risk level is not set in Primero$/,
      },
    ],
    about: /b000-000000000033|rel-case-33/,
    seed: (s) => addReferral(s, 33, { risk_level: null }),
  },
  {
    kind: 'Primero birth date 22012-01-01',
    lands: (sys) =>
      expect(referralsOf(sys, 'rel-case-1')[0]!.client_date_of_birth).toBe('2012-01-01'),
    respond: (sys) =>
      alterPrimeroListing(
        sys,
        (cases) => (cases.find((c) => c.case_id === 'rel-case-1').date_of_birth = '22012-01-01'),
      ),
  },
  {
    kind: 'Primero impossible birth date 2014-02-30',
    fails: [
      {
        key: 'f1-j2:referral:rel-case-1:rel-svc-1a',
        reason:
          /^date_of_birth of case rel-case-1: Date of birth is not a real calendar date: correct it in Primero$/,
      },
    ],
    respond: (sys) =>
      alterPrimeroListing(
        sys,
        (cases) => (cases.find((c) => c.case_id === 'rel-case-1').date_of_birth = '2014-02-30'),
      ),
  },
  {
    kind: 'wrong JSON types in a Primero case',
    fails: [
      {
        key: 'f1-j1:case:00000000-0000-4000-b000-000000000001',
        reason:
          /is not as expected: field sex: Invalid input: expected string, received object; field risk_level: .*: correct the case in Primero/,
      },
    ],
    respond: (sys) =>
      alterPrimeroListing(sys, (cases) => {
        const c = cases.find((x) => x.case_id === 'rel-case-1');
        c.risk_level = 3;
        c.sex = { value: 'female' };
      }),
  },
  {
    kind: 'null where a list belongs in a Primero case',
    // Read as a case with no service rows, so nothing is sent for it. The answer changed without
    // Primero stamping the case again, which Primero never does: once the cursor has passed the
    // case (when the listing began, src/workflow/primero-reread.ts), it is read again at its next
    // change, like any case.
    about: /case:00000000-0000-4000-b000-000000000001/,
    lands: (sys) => expect(referralsOf(sys, 'rel-case-1')).toHaveLength(0),
    respond: (sys) =>
      alterPrimeroListing(sys, (cases) => {
        const c = cases.find((x) => x.case_id === 'rel-case-1');
        c.services_section = null;
      }),
  },
  {
    kind: 'a 50 000-character Primero referral note',
    about: /b000-000000000034|rel-case-34/,
    lands: (sys) => expect(referralsOf(sys, 'rel-case-34')[0]!.referral_reason).toBe(LONG_NOTE),
    seed: (s) => addReferral(s, 34, {}, {}, { notes: LONG_NOTE }),
  },
  {
    kind: 'Khmer text, script and SQL fragments in Primero names',
    about: /b000-000000000035|rel-case-35/,
    lands: (sys) =>
      expect(referralsOf(sys, 'rel-case-35')[0]!.client_name).toBe(
        "ស្រីមុំ <script>alert(1)</script> x'); DROP TABLE clients;--",
      ),
    seed: (s) =>
      addReferral(s, 35, {
        name_first: 'ស្រីមុំ <script>alert(1)</script>',
        name_last: "x'); DROP TABLE clients;--",
      }),
  },
  {
    kind: 'an HTML error page (200) where Primero JSON was expected',
    runError:
      /^Step f1-j1 \(get Primero cases\) failed: primero answered GET \/api\/v2\/cases with a non-JSON body \(status 200\)$/,
    respond: async (sys) =>
      sys.primero.setFaults({
        rules: [
          {
            route: 'GET /api/v2/cases',
            status: 200,
            body: '<html><body>Login</body></html>',
            times: 1,
          },
        ],
      }),
  },
  {
    kind: 'a 200 with an empty body from Primero',
    // An answer about one case's referrals: that case fails alone and is read again next run.
    fails: [{ key: /^f1-j1:case:/, reason: /without a "data" member/ }],
    respond: async (sys) =>
      sys.primero.setFaults({
        rules: [{ route: 'GET /api/v2/cases/:id/referrals', status: 200, body: '', times: 1 }],
      }),
  },
];

let expected: Awaited<ReturnType<typeof reference>>;
beforeAll(async () => {
  expected = await reference();
});
afterAll(() => expectNoLeaks(seen));

describe('bad input', () => {
  it('covers at least 20 kinds', () => expect(TABLE.length).toBeGreaterThanOrEqual(20));

  it.concurrent.each(TABLE.map((row) => [row.kind, row] as const))('%s', async (_kind, bad) => {
    const seeds = worldSeeds();
    bad.seed?.(seeds);
    const systems = await worldSystems(seeds);
    try {
      await bad.respond?.(systems);
      const settings = { maxAttempts: 2 };
      const first = await runWith(systems, undefined, { settings });
      if (bad.runError) {
        // Unreadable answer: the step fails, nothing moves, the next run does the window.
        expect(first.summary.ok).toBe(false);
        expect(first.summary.error).toMatch(bad.runError);
        expect(first.next.cursors).toEqual({});
      } else {
        expect(first.summary.error).toBeUndefined();
        const failed = first.summary.failed;
        for (const expectation of bad.fails ?? []) {
          const item = failed.find((f: FailedItem) =>
            typeof expectation.key === 'string'
              ? f.key === expectation.key
              : expectation.key.test(f.key),
          );
          expect(item, `${String(expectation.key)} in ${JSON.stringify(failed)}`).toBeDefined();
          expect(item!.reason).toMatch(expectation.reason);
          expect(item!.attempts).toBe(1);
        }
        expect(failed).toHaveLength(bad.fails?.length ?? 0);
      }
      const second = await runWith(systems, first.next, { settings });
      if (bad.seed && bad.fails) {
        // Still bad at the second attempt: dead letters for an administrator.
        expect(second.summary.deadLettered.map((item) => item.key).sort()).toEqual(
          second.summary.failed.map((item) => item.key).sort(),
        );
        expect(second.next.deadLetters).toHaveLength(bad.fails.length);
      }
      const rest = await runUntilQuiet(systems, second.next, { settings });
      const last = rest.at(-1)!.next;
      expect(last.retries).toEqual([]);
      if (!bad.seed) expect(last.deadLetters).toEqual([]);
      // The rest of the batch landed exactly as in a clean run.
      const withoutBadRecord = (lines: string[]) =>
        bad.about ? lines.filter((line) => !bad.about!.test(line)) : lines;
      const actual = digest(systems);
      expect(withoutBadRecord(actual.primero)).toEqual(withoutBadRecord(expected.primero));
      expect(withoutBadRecord(actual.oscar)).toEqual(withoutBadRecord(expected.oscar));
      bad.lands?.(systems);
    } finally {
      await systems.close();
    }
  });
});
