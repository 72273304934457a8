// Benchmark seeds: N Primero cases and M OSCaR clients of invented children, generated from a
// fixed PRNG seed in the emulators' own seed formats (demo/README.md). The mix follows issue 9 and
// docs/performance.md: every record belongs to one category, so the work each run must do (and the
// requests that work needs) can be stated from the seed alone.
import serviceTable from '../src/mapping/services.json' with { type: 'json' };
import provinces from '../src/mapping/provinces.json' with { type: 'json' };
import knownAgencies from '../src/mapping/agencies.json' with { type: 'json' };
import { agencyForOrg, agencyUserForOrg } from '../src/mapping/index.ts';

export const BENCH_PRIMERO_USER = { user_name: 'primero_cp', password: 'bench-only-password' };
/** The case worker whose edits the hourly scenario makes (a second account, as in real life). */
export const BENCH_CASE_WORKER = { user_name: 'bench_caseworker', password: 'bench-only-password' };
export const BENCH_OSCAR_ADMIN = { email: 'primero@oscar.bench', password: 'bench-only-password' };
export const EXTERNAL_SYSTEM = 'primero';

/** Shares of the Primero cases per category (of 100); the rest are plain MoSVY cases. */
export const PRIMERO_MIX = {
  /** A referral to OSCaR created in the window: one upsert each. */
  referralToOscar: 10,
  /** A decision (accepted/rejected) on a referral an NGO sent to MoSVY. */
  decision: 5,
  /** A child OSCaR knows (oscar_number) that OSCaR must learn the Primero case id of. */
  link: 5,
  /** Referred to OSCaR before the window and accepted there: OSCaR sends the decision back. */
  acceptedInOscar: 3,
} as const;

/** Share of the OSCaR clients (of 100) that are NGO referrals to MoSVY not yet in Primero. */
export const NGO_REFERRAL_SHARE = 20;

export type PrimeroCategory = keyof typeof PRIMERO_MIX | 'plain';

export interface SeedOptions {
  /** Primero cases updated since the window start. */
  cases: number;
  /** OSCaR clients (default: as many as cases). */
  clients?: number;
  /** PRNG seed: same seed, same records. */
  seed?: number;
  /** The clock the timestamps are placed against (default: now). */
  now?: Date;
}

export interface SeedMeta {
  cases: number;
  clients: number;
  primero: Record<PrimeroCategory, number>;
  oscar: {
    /** Paired with the decision cases (Part A, referral to MoSVY decided in Primero). */
    decisionPairs: number;
    /** Paired with the link cases (Part B, no external_id yet). */
    linkPairs: number;
    /** Paired with the acceptedInOscar cases (external_id, referral from Primero accepted). */
    acceptedPairs: number;
    /** NGO referrals to MoSVY without a Primero case. */
    ngoReferrals: number;
    /** NGO clients with enrolments only, without a Primero case. */
    ngoClients: number;
  };
  /** Primero record ids of plain cases, in order: the hourly scenario edits some of them. */
  plainCaseIds: string[];
  /** Global ids of NGO-only clients (referrals and enrolments): the hourly scenario edits some. */
  ngoGlobalIds: string[];
}

export interface BenchSeeds {
  primero: { users: unknown[]; cases: unknown[]; referrals: unknown[] };
  oscar: Record<string, unknown>;
  /** The explicit start of the first run (before every seeded timestamp). */
  since: string;
  meta: SeedMeta;
}

/** mulberry32: small, fast and good enough to spread invented values deterministically. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Invented names, combined at random: no real person.
const GIVEN = [
  'Dara',
  'Sophea',
  'Vanna',
  'Bopha',
  'Rith',
  'Kosal',
  'Sokha',
  'Nary',
  'Piseth',
  'Chenda',
  'Visal',
  'Malis',
];
const FAMILY = [
  'Sample',
  'Example',
  'Invented',
  'Placeholder',
  'Fiction',
  'Testcase',
  'Mockup',
  'Madeup',
];
const RISKS = ['low', 'medium', 'high', 'no_action'] as const;
const OSCAR_RISK: Record<(typeof RISKS)[number], string> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  no_action: 'no action',
};

interface ServicePair {
  oscarName: string;
  primeroSubtype: string;
  primeroType: string;
}

/** Names that map to exactly one subtype: the benchmark measures speed, not the ambiguous rule. */
export const BENCH_SERVICES: ServicePair[] = (serviceTable as ServicePair[]).filter(
  (pair, _i, all) =>
    all.filter((other) => other.oscarName === pair.oscarName).length === 1 &&
    all.filter((other) => other.primeroSubtype === pair.primeroSubtype).length === 1,
);

const CATALOGUE = [...new Set((serviceTable as ServicePair[]).map((pair) => pair.oscarName))].map(
  (name, index) => ({
    uuid: `5e0b0000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
    name,
  }),
);
const uuidOfService = new Map(CATALOGUE.map((service) => [service.name, service.uuid]));

export const benchCaseId = (i: number) => `bench-case-${String(i).padStart(6, '0')}`;
export const benchRecordId = (i: number) =>
  `b0000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
/** Letters and digits only, 26 characters, like an OSCaR ULID. */
export const benchGlobalId = (i: number) => `01JBENCH${String(i).padStart(18, '0')}`;

/** Category of Primero case `i`: fixed shares per block of 100, so counts are exact. */
export function categoryOf(i: number): PrimeroCategory {
  let slot = i % 100;
  for (const [category, share] of Object.entries(PRIMERO_MIX) as Array<[PrimeroCategory, number]>) {
    if (slot < share) return category;
    slot -= share;
  }
  return 'plain';
}

const DAY = 86_400_000;

export function generateSeeds(options: SeedOptions): BenchSeeds {
  const cases = Math.max(0, Math.floor(options.cases));
  const clients = Math.max(0, Math.floor(options.clients ?? cases));
  const random = createRandom(options.seed ?? 20250101);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const now = options.now ?? new Date();
  // Every seeded timestamp lies before today (UTC): OSCaR compares most clients by DATE, so a
  // record stamped today would be listed again by the next run whatever its time of day.
  const lastDay = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - DAY;
  const firstDay = lastDay - 200 * DAY;
  const since = new Date(firstDay - DAY).toISOString();
  const beforeWindow = new Date(firstDay - 30 * DAY).toISOString();
  const stamp = () =>
    new Date(firstDay + Math.floor(random() * (lastDay - firstDay))).toISOString();
  const birthDate = () =>
    `${2008 + Math.floor(random() * 12)}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
  const village = () =>
    `${String(1 + Math.floor(random() * 25)).padStart(2, '0')}0${1 + Math.floor(random() * 9)}0${1 + Math.floor(random() * 9)}0${1 + Math.floor(random() * 9)}`;
  const tenantOf = (i: number) =>
    (knownAgencies as string[])[i % (knownAgencies as string[]).length]!;

  const tenants = new Map<
    string,
    { clients: Record<string, unknown>[]; referrals: Record<string, unknown>[] }
  >();
  const tenant = (name: string) => {
    let entry = tenants.get(name);
    if (!entry) tenants.set(name, (entry = { clients: [], referrals: [] }));
    return entry;
  };
  const client = (org: string, globalId: string, extra: Record<string, unknown>) => {
    const entry = tenant(org);
    const created = stamp();
    const record = {
      id: entry.clients.length + 1,
      slug: `${org}-${entry.clients.length + 1}`,
      global_id: globalId,
      given_name: pick(GIVEN),
      family_name: pick(FAMILY),
      gender: random() < 0.5 ? 'female' : 'male',
      date_of_birth: birthDate(),
      village_code: village(),
      status: 'Active',
      case_workers: [{ name: 'Invented Worker', mobile: '012000000' }],
      created_at: created,
      updated_at: created,
      ...extra,
    };
    entry.clients.push(record);
    return record;
  };
  const referral = (org: string, extra: Record<string, unknown>) => {
    const entry = tenant(org);
    const record = {
      id: entry.referrals.length + 1,
      ngo_name: EXTERNAL_SYSTEM,
      referral_status: 'Referred',
      level_of_risk: OSCAR_RISK[pick(RISKS)],
      referral_reason: 'Invented reason',
      name_of_referee: 'invented.worker',
      referral_phone: '000000000',
      date_of_referral: '2025-01-01',
      // OSCaR re-validates a referral on every status change (update_statuses): a full one.
      client_name: 'Invented Child',
      consent_form: ['consent-form.pdf'],
      created_at: stamp(),
      ...extra,
    };
    entry.referrals.push(record);
    return record;
  };

  const primeroCases: Record<string, unknown>[] = [];
  const primeroReferrals: Record<string, unknown>[] = [];
  const counts: Record<PrimeroCategory, number> = {
    referralToOscar: 0,
    decision: 0,
    link: 0,
    acceptedInOscar: 0,
    plain: 0,
  };
  const pairs = { decisionPairs: 0, linkPairs: 0, acceptedPairs: 0 };
  const plainCaseIds: string[] = [];
  let pairedClients = 0;

  for (let i = 0; i < cases; i++) {
    const category = categoryOf(i);
    counts[category] += 1;
    const service = pick(BENCH_SERVICES);
    const org = tenantOf(i);
    const updated = stamp();
    const record: Record<string, unknown> = {
      id: benchRecordId(i),
      case_id: benchCaseId(i),
      module_id: 'primeromodule-cp',
      status: 'open',
      record_state: true,
      name_first: pick(GIVEN),
      name_last: pick(FAMILY),
      sex: random() < 0.5 ? 'female' : 'male',
      date_of_birth: birthDate(),
      location_current: village().replace(/^0/, ''),
      risk_level: pick(RISKS),
      owned_by: 'primero_cp',
      created_by: 'mosvy_worker',
      consent_for_services: true,
      disclosure_other_orgs: true,
      created_at: new Date(firstDay).toISOString(),
      last_updated_at: updated,
      services_section: [],
    };
    const rowId = `bench-row-${String(i).padStart(6, '0')}`;
    // Pairs need a client; past the number of clients a paired category becomes plain.
    const paired = category !== 'plain' && category !== 'referralToOscar';
    if (paired && pairedClients >= clients) {
      counts[category] -= 1;
      counts.plain += 1;
      plainCaseIds.push(benchRecordId(i));
      primeroCases.push(record);
      continue;
    }
    if (category === 'plain') plainCaseIds.push(benchRecordId(i));
    if (category === 'referralToOscar') {
      record.services_section = [toOscarRow(rowId, service, org)];
      primeroReferrals.push({
        id: `b1000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        record_id: record.id,
        status: 'in_progress',
        ...referralToOscarFields(rowId, org),
        created_at: updated,
      });
    }
    if (category === 'decision') {
      const globalId = benchGlobalId(i);
      const kid = client(org, globalId, { referred_external: true });
      const sent = referral(org, {
        client_id: kid.id,
        client_global_id: globalId,
        referred_from: org,
        referred_to: EXTERNAL_SYSTEM,
        services: [uuidOfService.get(service.oscarName)],
      });
      record.oscar_number = globalId;
      record.oscar_short_id = kid.slug;
      record.services_section = [
        {
          unique_id: rowId,
          service_type: service.primeroType,
          service_subtype: [service.primeroSubtype],
          service_response_type: 'referral_from_oscar',
          service_implementing_agency: agencyForOrg(org),
          oscar_referring_organization: agencyForOrg(org),
          oscar_referral_id_a4ac8a5: String(sent.id),
          referral_status_edf41f2: i % 2 === 0 ? 'accepted_340953' : 'rejected_936484',
        },
      ];
      pairs.decisionPairs += 1;
      pairedClients += 1;
    }
    if (category === 'link') {
      const globalId = benchGlobalId(i);
      const kid = client(org, globalId, {});
      record.oscar_number = globalId;
      record.oscar_short_id = kid.slug;
      pairs.linkPairs += 1;
      pairedClients += 1;
    }
    if (category === 'acceptedInOscar') {
      const globalId = benchGlobalId(i);
      record.services_section = [
        { ...toOscarRow(rowId, service, org), referral_status_edf41f2: 'pending_310366' },
      ];
      primeroReferrals.push({
        id: `b1000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        record_id: record.id,
        status: 'in_progress',
        ...referralToOscarFields(rowId, org),
        created_at: beforeWindow,
      });
      const kid = client(org, globalId, {
        external_id: record.case_id,
        external_id_display: String(record.case_id).slice(-7),
        referred_external: true,
        status: 'Accepted',
      });
      referral(org, {
        client_id: kid.id,
        client_global_id: globalId,
        external_id: record.case_id,
        referred_from: EXTERNAL_SYSTEM,
        referred_to: org,
        referral_status: 'Accepted',
        services: [uuidOfService.get(service.oscarName)],
        created_at: beforeWindow,
      });
      pairs.acceptedPairs += 1;
      pairedClients += 1;
    }
    primeroCases.push(record);
  }

  // OSCaR-only children: NGO referrals to MoSVY, then NGO clients with enrolments.
  const ngoGlobalIds: string[] = [];
  const remaining = Math.max(0, clients - pairedClients);
  const ngoReferrals = Math.min(remaining, Math.round((clients * NGO_REFERRAL_SHARE) / 100));
  for (let j = 0; j < remaining; j++) {
    const index = cases + j;
    const org = tenantOf(index);
    const globalId = benchGlobalId(index);
    const service = pick(BENCH_SERVICES);
    ngoGlobalIds.push(globalId);
    if (j < ngoReferrals) {
      const kid = client(org, globalId, { referred_external: true });
      referral(org, {
        client_id: kid.id,
        client_global_id: globalId,
        referred_from: org,
        referred_to: EXTERNAL_SYSTEM,
        services: [uuidOfService.get(service.oscarName)],
      });
    } else {
      client(org, globalId, {
        program_enrollments: [
          {
            program_name: 'Invented programme',
            enrollment_date: '2025-01-15',
            services: [uuidOfService.get(service.oscarName)],
          },
        ],
      });
    }
  }

  const oscar = {
    admin_users: [{ id: 1, ...BENCH_OSCAR_ADMIN, first_name: 'Bench', last_name: 'Sync' }],
    external_systems: [{ name: EXTERNAL_SYSTEM, token: BENCH_OSCAR_ADMIN.email }],
    services: CATALOGUE,
    organizations: (knownAgencies as string[]).map((name, index) => ({
      id: index + 1,
      short_name: name,
      full_name: `${name.toUpperCase()} (invented NGO)`,
      integrated: true,
      address_code: '120101',
      clients: tenants.get(name)?.clients ?? [],
      referrals: tenants.get(name)?.referrals ?? [],
    })),
  };

  return {
    primero: {
      users: [
        { ...BENCH_PRIMERO_USER, agency: 'agency-unicef' },
        { ...BENCH_CASE_WORKER, agency: 'agency-mosvy' },
        // Primero reverts an owner that is not a user: every user the sync hands cases to exists.
        ...(provinces as Array<{ user: string }>).map((province) => ({
          user_name: province.user,
          password: BENCH_CASE_WORKER.password,
          agency: 'agency-mosvy',
        })),
        ...(knownAgencies as string[]).map((org) => ({
          user_name: `agency-${org}-user`,
          password: BENCH_CASE_WORKER.password,
          agency: `agency-${org}`,
        })),
      ],
      cases: primeroCases,
      referrals: primeroReferrals,
    },
    oscar,
    since,
    meta: {
      cases,
      clients,
      primero: counts,
      oscar: { ...pairs, ngoReferrals, ngoClients: remaining - ngoReferrals },
      plainCaseIds,
      ngoGlobalIds,
    },
  };
}

/** A service row that refers the child to `org` in OSCaR. */
export function toOscarRow(unique_id: string, service: ServicePair, org: string) {
  return {
    unique_id,
    service_type: service.primeroType,
    service_subtype: [service.primeroSubtype],
    service_response_type: 'referral_to_oscar',
    service_implementing_agency: agencyForOrg(org),
  };
}

/** The fields of a Primero referral of that row to `org`, as a MoSVY case worker makes it. */
export function referralToOscarFields(rowId: string, org: string) {
  return {
    service_record_id: rowId,
    transitioned_to: agencyUserForOrg(org),
    transitioned_to_agency: agencyForOrg(org),
    notes: 'Invented referral note',
  };
}

/** What the hourly scenario changes: `share` of the records on each side, spread evenly. */
export interface HourlyChanges {
  /** Plain Primero cases that get a new referral to OSCaR (record id, row, service). */
  primero: Array<{ id: string; rowId: string; service: ServicePair; org: string }>;
  /** OSCaR-only clients whose MoSVY number an NGO edits. */
  oscar: Array<{ globalId: string; mosvyNumber: string }>;
}

export function planHourlyChanges(meta: SeedMeta, share = 0.01, round = 1): HourlyChanges {
  const primeroCount = Math.min(
    meta.plainCaseIds.length,
    Math.max(1, Math.round(meta.cases * share)),
  );
  const oscarCount = Math.min(
    meta.ngoGlobalIds.length,
    Math.max(1, Math.round(meta.clients * share)),
  );
  const spread = <T>(list: T[], count: number): T[] => {
    if (count <= 0) return [];
    const step = list.length / count;
    return Array.from({ length: count }, (_, k) => list[Math.floor(k * step)]!);
  };
  const agencies = knownAgencies as string[];
  return {
    primero: spread(meta.plainCaseIds, primeroCount).map((id, k) => ({
      id,
      rowId: `bench-row-hourly-${round}-${String(k).padStart(6, '0')}`,
      service: BENCH_SERVICES[k % BENCH_SERVICES.length]!,
      org: agencies[k % agencies.length]!,
    })),
    oscar: spread(meta.ngoGlobalIds, oscarCount).map((globalId, k) => ({
      globalId,
      mosvyNumber: `MOSVY-BENCH-${round}-${String(k).padStart(6, '0')}`,
    })),
  };
}
