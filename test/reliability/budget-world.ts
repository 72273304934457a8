// A window bigger than one run's budget: ten MoSVY children referred to NGOs (one child twice,
// two children updated at the same instant) and ten NGO children OSCaR holds that Primero lacks.
// Each referral is created an hour before its case was last updated, so a run that resumed the
// window from the case's time instead of the window's start would miss it.
import { EXTERNAL_SYSTEM_NAME, baseOscarSeed, basePrimeroSeed } from '../e2e/helpers.ts';
import { mosvyChild, primeroId, referralOf, row } from './world.ts';
import type { RunResult, Systems } from '../e2e/helpers.ts';

export const BUDGET_START = '2025-03-01T00:00:00.000Z';
export const REFERRING = 10;
export const NGO_CHILDREN = 10;

const at = (minutes: number) => new Date(Date.parse('2025-03-02T08:00:00Z') + minutes * 60_000);

export function budgetSeeds() {
  const cases = [];
  const referrals = [];
  for (let i = 1; i <= REFERRING; i += 1) {
    const n = 100 + i;
    // Children 3 and 4 share their update instant: the resume point must tell them apart by id.
    const updated = at(i === 4 ? 3 * 10 + 60 : i * 10 + 60).toISOString();
    const created = at(i * 10).toISOString();
    const rows = [row(`bud-svc-${i}a`)];
    if (i === 5)
      rows.push(
        row(`bud-svc-${i}b`, {
          service_type: 'counselling',
          service_subtype: ['counselling_trauma'],
          service_implementing_agency: 'agency-holt',
        }),
      );
    cases.push(mosvyChild(n, { last_updated_at: updated, services_section: rows }));
    for (const service of rows)
      referrals.push(referralOf(n, service.unique_id, { created_at: created }));
  }
  const primero = basePrimeroSeed(cases) as Record<string, unknown> & { referrals: unknown[] };
  primero.referrals = referrals;

  const oscar = baseOscarSeed();
  const cif = oscar.organizations.find((org) => org.short_name === 'cif')!;
  const uuidOf = (name: string) =>
    (oscar.services as Array<{ uuid: string; name: string }>).find((s) => s.name === name)!.uuid;
  cif.clients = Array.from({ length: NGO_CHILDREN }, (_, index) => ({
    id: index + 1,
    slug: `bud-${index + 1}`,
    global_id: globalIdOf(index + 1),
    given_name: 'Bunthoeun',
    family_name: 'Invented',
    gender: 'female',
    date_of_birth: '2011-02-14',
    village_code: '12010101',
    status: 'Active',
    case_workers: [{ name: 'NGO worker', mobile: '088444222' }],
    created_at: '2025-03-02T08:00:00.000Z',
    // Child 2 is an NGO referral to MoSVY: OSCaR lists it by time, not by date (Part A).
    ...(index + 1 === 2 ? { referred_external: true } : {}),
  }));
  cif.referrals = [
    {
      id: 1,
      client_id: 2,
      client_global_id: globalIdOf(2),
      ngo_name: EXTERNAL_SYSTEM_NAME,
      referred_from: 'cif',
      referred_to: EXTERNAL_SYSTEM_NAME,
      referral_status: 'Referred',
      level_of_risk: 'medium',
      services: [uuidOf('Kinship care')],
      created_at: '2025-03-02T08:00:00.000Z',
    },
  ];
  return { primero, oscar };
}

export const globalIdOf = (n: number) => `G-BUD-${String(n).padStart(2, '0')}`;

/** The referrals the budget world asks for: (Primero case_id, receiving NGO) pairs. */
export function expectedReferrals(): string[] {
  const pairs: string[] = [];
  for (let i = 1; i <= REFERRING; i += 1) {
    pairs.push(`rel-case-${100 + i}|cif`);
    if (i === 5) pairs.push(`rel-case-${100 + i}|holt`);
  }
  return pairs.sort();
}

/** Every referral OSCaR holds from Primero, as (case_id, receiving NGO): duplicates stay visible. */
export function oscarReferralsOf(systems: Systems): string[] {
  const state = systems.oscar.state() as { organizations: Array<Record<string, any>> };
  const found: string[] = [];
  for (const org of state.organizations) {
    for (const referral of org.referrals ?? []) {
      if (referral.referred_from === 'primero' && referral.external_id)
        found.push(`${referral.external_id}|${referral.referred_to}`);
    }
  }
  return found.sort();
}

/** How many Primero cases hold each NGO child's global id (every one must hold exactly one). */
export function primeroCasesPerChild(systems: Systems): Record<string, number> {
  const state = systems.primero.state() as { cases: Array<Record<string, any>> };
  const counts: Record<string, number> = {};
  for (let n = 1; n <= NGO_CHILDREN; n += 1) counts[globalIdOf(n)] = 0;
  for (const record of state.cases) {
    if (record.oscar_number in counts)
      counts[record.oscar_number] = (counts[record.oscar_number] ?? 0) + 1;
  }
  return counts;
}

export const everyChildOnce = () =>
  Object.fromEntries(Array.from({ length: NGO_CHILDREN }, (_, i) => [globalIdOf(i + 1), 1]));

export { primeroId };
export type { RunResult };
