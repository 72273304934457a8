// The sync against what the real Primero does that an API reference does not say (apis.md §3.1):
// the real workflow on @openfn/runtime against both emulators. Each describe fails when the guard
// it covers is removed: the write check (src/clients/primero-stored.ts), the 409 read
// (createCase), the re-read margin (src/workflow/primero-reread.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { PRIMERO_PROFILES } from '../../demo/primero/index.ts';
import type { PrimeroProfile } from '../../demo/primero/index.ts';
import { newCaseIdFor } from '../../src/sync/oscar-to-primero/plan.ts';
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
const AT = '2025-03-02T08:00:00.000Z';

let systems: Systems | undefined;
afterEach(async () => {
  await systems?.close();
  systems = undefined;
});

/** One NGO client of `mtp` OSCaR lists: the sync creates its case, owned by agency-mtp-user. */
function ngoChild(globalId = 'G-TRAP') {
  const oscar = baseOscarSeed();
  oscar.organizations.find((o) => o.short_name === 'mtp')!.clients = [
    {
      id: 1,
      slug: 'kid-1',
      global_id: globalId,
      given_name: 'Invented',
      family_name: 'Child',
      gender: 'female',
      date_of_birth: '2013-04-05',
      village_code: '12010101',
      status: 'Active',
      created_at: AT,
    },
  ];
  return oscar;
}

const primeroWith = (users: Array<Record<string, unknown>>, cases: unknown[] = []) => ({
  ...basePrimeroSeed(cases),
  users,
});
const apiUser = (extra: Record<string, unknown> = {}) => ({
  user_name: DEMO_CREDENTIALS.primero.username,
  password: DEMO_CREDENTIALS.primero.password,
  agency: 'agency-unicef',
  group_permission: 'all',
  ...extra,
});
const failedCases = (result: Awaited<ReturnType<typeof runOnce>>) =>
  result.summary.failed.filter((item) => item.step === 'f2-j2');
const storedCase = (result: Awaited<ReturnType<typeof runOnce>>, id: string) =>
  (result.primeroState as { cases: Array<Record<string, unknown>> }).cases.find((c) => c.id === id);

describe('a field Primero does not take is an item failure naming it (v2.11+ drops it with 200)', () => {
  it('the API user may not write oscar_status: the case fails, naming the field', async () => {
    systems = await startSystems(
      {
        primero: primeroWith([apiUser({ unwritable_fields: ['oscar_status'] }), ...ownerUsers()]),
        oscar: ngoChild(),
      },
      { primeroProfile: 'current' },
    );
    const result = await runOnce(systems, undefined, { since: START });
    expect(result.summary.error).toBeUndefined();
    const [failure] = failedCases(result);
    expect(failure?.reason).toBe(
      `Primero did not store oscar_status (case ${String(storedCase(result, newCaseIdFor('G-TRAP'))?.case_id)}): ` +
        'the API user may not write this field; give its role a form with them in Primero',
    );
    expect(result.summary.steps['f2-j2'].written).toBe(0);
  });

  it('v2.5 refuses the same write with 422: the case fails, nothing is created', async () => {
    systems = await startSystems(
      {
        primero: primeroWith([apiUser({ unwritable_fields: ['oscar_status'] }), ...ownerUsers()]),
        oscar: ngoChild(),
      },
      { primeroProfile: '2.5' },
    );
    const result = await runOnce(systems, undefined, { since: START });
    expect(failedCases(result)[0]?.reason).toMatch(/422.*\/oscar_status/);
    expect(storedCase(result, newCaseIdFor('G-TRAP'))).toBeUndefined();
  });
});

describe.each(PRIMERO_PROFILES)('Primero %s', (profile: PrimeroProfile) => {
  it('an owner that is not a Primero user: the case fails naming owned_by (Primero left it with none)', async () => {
    const owners = ownerUsers().filter((user) => user.user_name !== 'agency-mtp-user');
    systems = await startSystems(
      { primero: primeroWith([apiUser(), ...owners]), oscar: ngoChild() },
      { primeroProfile: profile },
    );
    const result = await runOnce(systems, undefined, { since: START });
    const created = storedCase(result, newCaseIdFor('G-TRAP'));
    expect(created?.owned_by ?? null).toBeNull();
    expect(failedCases(result)[0]?.reason).toBe(
      `Primero did not store owned_by=agency-mtp-user: the user does not exist or the API user cannot ` +
        `assign it (case ${String(created?.case_id)}); create the user in Primero or fix the mapping`,
    );
  });

  it("a case handed outside the API user's group: the 409 on create is read, and reported as out of sight", async () => {
    // The child's case exists already, owned by a province manager the API user (group scope,
    // another group) cannot see; its search finds nothing, so the sync creates it: 409.
    const existing = {
      id: newCaseIdFor('G-TRAP'),
      case_id: 'case-handed-over',
      oscar_number: 'G-TRAP',
      owned_by: 'mgrkdl',
      created_at: '2025-01-01T00:00:00.000Z',
      last_updated_at: '2025-01-01T00:00:00.000Z',
    };
    systems = await startSystems(
      {
        primero: primeroWith(
          [apiUser({ group_permission: 'group', groups: ['usergroup-national'] }), ...ownerUsers()],
          [existing],
        ),
        oscar: ngoChild(),
      },
      { primeroProfile: profile },
    );
    const result = await runOnce(systems, undefined, { since: START });
    expect(result.summary.error).toBeUndefined();
    expect(failedCases(result)[0]?.reason).toBe(
      `Primero already holds case ${existing.id} (409), but user primero_cp cannot read it (403): ` +
        'it is outside the API user\'s scope; give that user group permission "all" (see npx interop check)',
    );
    expect(result.summary.steps['f2-j2'].written).toBe(0);
    expect(systems.primero.requestCounts()['POST /api/v2/cases']).toBe(1);
  });

  it('a case committed late, stamped before the cursor: the next run still sends its referral', async () => {
    const oscar = baseOscarSeed();
    systems = await startSystems(
      { primero: basePrimeroSeed(), oscar },
      { primeroProfile: profile },
    );
    // The first run's cursor is when its listing began on Primero's clock: the first page's Date
    // header (whole seconds) less one second.
    const listedFrom = Math.floor(Date.now() / 1000) * 1000;
    const first = await runOnce(systems, undefined, { since: START });
    const cursor = Date.parse(first.next.cursors.primero ?? '');
    expect(cursor).toBeGreaterThanOrEqual(listedFrom - 1000);
    expect(cursor).toBeLessThanOrEqual(Date.now());
    // Then a slow transaction commits a case stamped two minutes before that, within the margin.
    const late = new Date(cursor - 2 * 60_000).toISOString();
    await commitLate(
      systems,
      {
        id: 'case-late',
        case_id: 'case-late',
        name_first: 'Invented',
        name_last: 'Late',
        sex: 'female',
        date_of_birth: '2014-05-06',
        location_current: '2020202',
        risk_level: 'high',
        owned_by: 'mosvy_worker',
        owned_by_phone: '012345678',
        consent_for_services: true,
        disclosure_other_orgs: true,
        services_section: [
          {
            unique_id: 'svc-late',
            service_type: 'family_based_care',
            service_subtype: ['family_based_care_kinship'],
            service_response_type: 'referral_to_oscar',
            service_implementing_agency: 'agency-cif',
          },
        ],
      },
      late,
      [{ id: 'ref-late', service_record_id: 'svc-late', transitioned_to: 'agency-cif-user' }],
    );
    const second = await runOnce(systems, first.next);
    expect(second.summary.error).toBeUndefined();
    const cif = (second.oscarState as any).organizations.find((o: any) => o.short_name === 'cif');
    expect(cif.referrals.filter((r: any) => r.external_id === 'case-late')).toHaveLength(1);
    // Read again, unchanged: the third run writes nothing.
    const upserts = () =>
      systems!.oscar.requestCounts()['POST /api/v1/organizations/clients/upsert'];
    const before = upserts();
    const third = await runOnce(systems, second.next);
    expect(third.summary.error).toBeUndefined();
    expect(upserts()).toBe(before);
  });
});

// The cursor a run hands on is when its listing began on Primero's clock (src/workflow/
// primero-reread.ts), not the latest last_updated_at seen: after a burst of writes and then quiet,
// later runs list from that instant less the margin, so none of them lists the burst again. The
// burst here is stamped more than the margin before the first run reads it, which is what waiting
// out the margin after it would give; the real margin is used, no test-only setting.
describe('after a burst of writes then quiet', () => {
  it('the next run lists none of the burst', async () => {
    const now = Date.now();
    const margin = 10 * 60_000;
    const burst = Array.from({ length: 30 }, (_, i) => {
      const at = new Date(now - 2 * margin + i * 18_000).toISOString();
      return {
        id: `burst-${i}`,
        case_id: `burst-${i}`,
        owned_by: 'mosvy_worker',
        created_at: at,
        last_updated_at: at,
      };
    });
    systems = await startSystems({ primero: basePrimeroSeed(burst), oscar: baseOscarSeed() });
    const first = await runOnce(systems, undefined, { since: START });
    expect(first.summary.error).toBeUndefined();
    expect(first.summary.steps['f1-j1'].fetched).toBe(30);
    const second = await runOnce(systems, first.next);
    expect(second.summary.error).toBeUndefined();
    expect(second.summary.steps['f1-j1'].fetched).toBe(0);
    expect(second.logs.join('\n')).toContain('f1-j1: fetched 0 cases updated since');
  });
});

async function commitLate(
  systems: Systems,
  data: Record<string, unknown>,
  lastUpdatedAt: string,
  referrals: unknown[] = [],
): Promise<void> {
  const response = await fetch(`${systems.primero.url}/__emulator/late-commit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ data, last_updated_at: lastUpdatedAt, referrals }),
  });
  expect(response.status).toBe(200);
}
