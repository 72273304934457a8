// The world the crash trials run on: the reliability world (world.ts) grown so that one run has
// work in every step for a while: many new children referred to two NGOs, children OSCaR already
// knows, and NGO clients f2 must bring to Primero. What "landed" means is read off the emulators.
import type { Systems } from '../e2e/helpers.ts';
import { mosvyChild, referralOf, row, worldSeeds } from './world.ts';
import type { WorldSeeds } from './world.ts';

/** Children 10.. are referred, alternately to cif (kinship care) and holt (counselling). */
const FIRST = 10;

export interface TrialReferral {
  caseId: string;
  org: string;
  referralId: string;
  key: string;
}

export interface TrialWorld {
  seeds: WorldSeeds;
  referrals: TrialReferral[];
  /** OSCaR global ids of NGO clients f2 must bring to Primero, once each. */
  ngoClients: string[];
}

export function trialWorld(children = 16, ngoClients = 6): TrialWorld {
  const seeds = worldSeeds();
  // One child referred to two NGOs that both accept gets two OSCaR identities, and f2 then moves
  // the case's oscar_number between them on every run: kept out of these trials (reported apart).
  seeds.primero.referrals = seeds.primero.referrals.filter(
    (r) => (r as { id: string }).id !== 'rel-ref-2-rel-svc-2b',
  );
  const referrals: TrialReferral[] = [
    {
      caseId: 'rel-case-1',
      org: 'cif',
      referralId: 'rel-ref-1-rel-svc-1a',
      key: 'f1-j2:referral:rel-case-1:rel-svc-1a',
    },
    {
      caseId: 'rel-case-2',
      org: 'cif',
      referralId: 'rel-ref-2-rel-svc-2a',
      key: 'f1-j2:referral:rel-case-2:rel-svc-2a',
    },
  ];
  for (let n = FIRST; n < FIRST + children; n += 1) {
    const toHolt = n % 2 === 1;
    const service = `trial-svc-${n}`;
    seeds.primero.cases.push(
      mosvyChild(n, {
        services_section: [
          row(
            service,
            toHolt
              ? {
                  service_type: 'counselling',
                  service_subtype: ['counselling_trauma'],
                  service_implementing_agency: 'agency-holt',
                }
              : {},
          ),
        ],
      }),
    );
    const referral = referralOf(n, service);
    seeds.primero.referrals.push(referral);
    referrals.push({
      caseId: `rel-case-${n}`,
      org: toHolt ? 'holt' : 'cif',
      referralId: referral.id,
      key: `f1-j2:referral:rel-case-${n}:${service}`,
    });
  }
  const mtp = seeds.oscar.organizations.find((o) => o.short_name === 'mtp')!;
  const template = (mtp.clients as Array<Record<string, unknown>>)[0]!;
  const ids: string[] = [];
  for (let n = 0; n < ngoClients; n += 1) {
    const globalId = `G-TRIAL-NGO-${n}`;
    ids.push(globalId);
    (mtp.clients as Array<Record<string, unknown>>).push({
      ...template,
      id: 100 + n,
      slug: `trial-${n}`,
      global_id: globalId,
    });
  }
  return { seeds, referrals, ngoClients: ['G-REL-NGO', ...ids] };
}

type OscarOrg = {
  short_name: string;
  referrals: Array<{ id: number; external_id?: string | null; client_id?: number | null }>;
};

export const oscarOrgs = (systems: Systems) =>
  (systems.oscar.state() as { organizations: OscarOrg[] }).organizations;

/** How many referrals of `caseId` OSCaR holds in `org`: 1 landed, 0 not, more is a duplicate. */
export function landedCount(systems: Systems, referral: TrialReferral): number {
  const org = oscarOrgs(systems).find((o) => o.short_name === referral.org);
  return (org?.referrals ?? []).filter((r) => r.external_id === referral.caseId).length;
}

/** Primero cases per OSCaR global id. */
export function primeroCasesByGlobalId(systems: Systems): Map<string, number> {
  const cases = (systems.primero.state() as { cases: Array<{ oscar_number?: string }> }).cases;
  const counts = new Map<string, number>();
  for (const c of cases) {
    if (!c.oscar_number) continue;
    counts.set(c.oscar_number, (counts.get(c.oscar_number) ?? 0) + 1);
  }
  return counts;
}

/** The NGOs accept every referral still waiting (OSCaR creates the client from it). */
export async function ngosAcceptAll(systems: Systems): Promise<void> {
  for (const org of oscarOrgs(systems)) {
    const waiting = org.referrals.filter((r) => r.client_id === null && r.external_id);
    const done = new Set<string>();
    for (const referral of waiting) {
      // One client per child: accepting the first attaches the child's other referrals too.
      if (done.has(referral.external_id!)) continue;
      done.add(referral.external_id!);
      const answer = await fetch(`${systems.oscar.url}/__emulator/oscar/accept-referral`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ organization_name: org.short_name, referral_id: referral.id }),
      });
      if (answer.status !== 200)
        throw new Error(`accept-referral ${referral.id}: ${answer.status} ${await answer.text()}`);
    }
  }
}
