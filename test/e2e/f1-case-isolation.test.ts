// One case never stops the others (docs/sync-rules.md, "Item outcomes, retries, dead letters"): a
// case deleted (404) or taken out of the API user's scope (403) between f1-j1's listing and its
// referral read fails alone with its ids and a reason; the other cases' referrals reach OSCaR in
// the same run, and the failed case is read again next run and settles once it is readable or
// gone. Both answers are the Primero emulator's own (demo/primero/routes.ts visibleCase), as
// Primero's ReferralsController#index gives them (`authorize! :read, @record` after the find:
// app/controllers/api/v2/referrals_controller.rb l.8).
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_CREDENTIALS,
  baseOscarSeed,
  basePrimeroSeed,
  ownerUsers,
  runOnce,
  startSystems,
} from './helpers.ts';
import type { Systems } from './helpers.ts';

const START = '2025-03-01T00:00:00.000Z';
const SYNC_USER = DEMO_CREDENTIALS.primero.username;
const OTHER_USER = String(ownerUsers()[0]!.user_name);

const idOf = (n: number) => `00000000-0000-4000-b000-00000000000${n}`;
const caseOf = (n: number, ownedBy: string) => ({
  id: idOf(n),
  case_id: `case-iso-${n}`,
  case_id_display: `iso${n}`,
  name_first: 'Invented',
  name_last: 'Child',
  sex: 'female',
  date_of_birth: '2015-01-01',
  location_current: '2020202',
  owned_by: ownedBy,
  risk_level: 'high',
  consent_for_services: true,
  disclosure_other_orgs: true,
  created_at: '2025-03-02T08:00:00.000Z',
  // Case 1 comes first in the window's order, so the refused reads are not the last ones made.
  last_updated_at: `2025-03-02T0${n}:00:00.000Z`,
  services_section: [
    {
      unique_id: `svc-iso-${n}`,
      service_type: 'family_based_care',
      service_subtype: ['family_based_care_kinship'],
      service_response_type: 'referral_to_oscar',
      service_implementing_agency: 'agency-cif',
    },
  ],
});
const referralOf = (n: number) => ({
  id: `ref-iso-${n}`,
  record_id: idOf(n),
  status: 'in_progress',
  service_record_id: `svc-iso-${n}`,
  transitioned_to: 'agency-cif-user',
  notes: `reason ${n}`,
  created_at: '2025-03-02T09:00:00.000Z',
});

/**
 * Cases 1, 2 and 5 the sync user sees; case 3 belongs to another user (a 403 once read); case 4
 * is not in Primero at all (a 404). The sync user sees only its own cases (`self`).
 */
function primeroSeed(case3Owner: string) {
  const seed = basePrimeroSeed([
    caseOf(1, SYNC_USER),
    caseOf(2, SYNC_USER),
    caseOf(3, case3Owner),
    caseOf(5, SYNC_USER),
  ]);
  const users = seed.users as Array<Record<string, unknown>>;
  users[0] = { ...users[0], group_permission: 'self' };
  return { ...seed, referrals: [1, 2, 3, 5].map(referralOf) };
}

/** The listing as it was read just before case 3 was reassigned and case 4 deleted. */
function listedBeforeTheChange(body: unknown): unknown {
  const answer = body as { data: unknown[] };
  return { ...answer, data: [...answer.data, caseOf(3, SYNC_USER), caseOf(4, SYNC_USER)] };
}

let systems: Systems | undefined;
afterEach(async () => {
  await systems?.close();
  systems = undefined;
});

const referralsInOscar = (state: any) =>
  state.organizations
    .find((org: any) => org.short_name === 'cif')
    .referrals.filter((r: any) => String(r.external_id ?? '').startsWith('case-iso-'))
    .map((r: any) => r.external_id)
    .sort();

describe('f1-j1: a case Primero refuses between the listing and its referral read fails alone', () => {
  it('404 and 403 fail those cases with ids and a reason; the others reach OSCaR in the same run; both settle later', async () => {
    systems = await startSystems({ primero: primeroSeed(OTHER_USER), oscar: baseOscarSeed() });
    // Sign-ins are throttled as Primero throttles them; three runs within seconds use basic auth.
    systems.systems.primero = { ...systems.systems.primero, basicAuth: true };
    systems.primero.setFaults({
      rules: [
        {
          route: 'GET /api/v2/cases',
          withQuery: 'last_updated_at',
          times: 1,
          transform: listedBeforeTheChange,
        },
      ],
    });
    const first = await runOnce(systems, undefined, { since: START });
    expect(first.summary.error).toBeUndefined();
    expect(referralsInOscar(first.oscarState)).toEqual(['case-iso-1', 'case-iso-2', 'case-iso-5']);
    const refused = first.summary.failed.filter((item) => item.step === 'f1-j1');
    expect(refused.map((item) => [item.key, item.kind, item.ids])).toEqual(
      expect.arrayContaining([
        ['f1-j1:case:' + idOf(3), 'case', { primero_id: idOf(3), case_id: 'case-iso-3' }],
        ['f1-j1:case:' + idOf(4), 'case', { primero_id: idOf(4), case_id: 'case-iso-4' }],
      ]),
    );
    expect(refused).toHaveLength(2);
    const reasonOf = (n: number) => refused.find((item) => item.ids.primero_id === idOf(n))!.reason;
    expect(reasonOf(3)).toMatch(/referrals of case case-iso-3 could not be read: .*403/);
    expect(reasonOf(4)).toMatch(/referrals of case case-iso-4 could not be read: .*404/);
    expect(first.next.retries.map((item) => item.key).sort()).toEqual(
      [`f1-j1:case:${idOf(3)}`, `f1-j1:case:${idOf(4)}`].sort(),
    );

    // Case 3 is handed back to the sync user; case 4 stays deleted.
    systems.primero.loadSeed(primeroSeed(SYNC_USER));
    const second = await runOnce(systems, first.next);
    expect(second.summary.error).toBeUndefined();
    expect(second.summary.failed).toEqual([]);
    expect(second.next.retries).toEqual([]);
    expect(second.next.deadLetters).toEqual([]);
    expect(referralsInOscar(second.oscarState)).toEqual([
      'case-iso-1',
      'case-iso-2',
      'case-iso-3',
      'case-iso-5',
    ]);

    // Settled: the next run neither reads them again nor sends anything twice.
    const third = await runOnce(systems, second.next);
    expect(third.summary.failed).toEqual([]);
    expect(referralsInOscar(third.oscarState)).toHaveLength(4);
  });
});
