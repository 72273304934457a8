// Primero -> OSCaR for children OSCaR already knows (behaviour.md, "Referrals of a child OSCaR
// already knows"; apis.md §3.2 O1-O6). The real workflow against both emulators over HTTP; each
// test fails when its guard in src/sync/primero-to-oscar/known-child.ts is removed.
import { afterEach, describe, expect, it } from 'vitest';
import { baseOscarSeed, basePrimeroSeed, runOnce, startSystems, writeCounts } from './helpers.ts';
import type { Systems } from './helpers.ts';

const START = '2025-03-01T00:00:00.000Z';
const UPSERT = 'POST /api/v1/organizations/clients/upsert';
const STATUSES = 'PUT /api/v1/organizations/referrals/update_statuses';

// Invented people; none of these may reach a log line.
const PRIVATE = ['Rachana', 'Vibol', 'Srey', 'Kanha', 'ស្រីមុំ', '2012-12-12', '2013-03-03'];

const primeroCase = (globalId: string, agency: string, extra: Record<string, unknown> = {}) => ({
  id: '00000000-0000-4000-a000-000000000001',
  case_id: 'case-known',
  case_id_display: 'cknown1',
  name_first: 'Rachana',
  name_last: 'Vibol',
  sex: 'male',
  date_of_birth: '2013-03-03',
  location_current: '2020202',
  owned_by: 'mosvy_worker',
  owned_by_phone: '012000000',
  risk_level: 'high',
  consent_for_services: true,
  disclosure_other_orgs: true,
  oscar_number: globalId,
  created_at: '2025-03-02T08:00:00.000Z',
  last_updated_at: '2025-03-02T09:00:00.000Z',
  services_section: [
    {
      unique_id: 'svc-known',
      service_type: 'family_based_care',
      service_subtype: ['family_based_care_kinship'],
      service_response_type: 'referral_to_oscar',
      service_implementing_agency: agency,
    },
  ],
  ...extra,
});

const primeroReferral = {
  id: 'ref-known',
  record_id: '00000000-0000-4000-a000-000000000001',
  status: 'in_progress',
  service_record_id: 'svc-known',
  transitioned_to: 'agency-cif-user',
  notes: 'a reason',
  created_at: '2025-03-02T09:00:00.000Z',
};

const oscarClient = (globalId: string, extra: Record<string, unknown> = {}) => ({
  id: 1,
  global_id: globalId,
  given_name: 'Srey',
  family_name: 'Kanha',
  local_given_name: 'ស្រីមុំ',
  gender: 'female',
  date_of_birth: '2012-12-12',
  mosvy_number: 'MOSVY-7',
  village_code: '12010101',
  status: 'Active',
  created_at: '2025-01-01T00:00:00.000Z',
  ...extra,
});

function seeds(holders: string[], agency: string, primeroExtra: Record<string, unknown> = {}) {
  const primero = basePrimeroSeed([primeroCase('G-KNOWN', agency, primeroExtra)]);
  (primero as { referrals: unknown[] }).referrals = [primeroReferral];
  const oscar = baseOscarSeed();
  // Holders in the order given: the first one is the GlobalIdentity's first organisation.
  oscar.organizations.sort(
    (a, b) =>
      (holders.indexOf(String(a.short_name)) + 1 || 99) -
      (holders.indexOf(String(b.short_name)) + 1 || 99),
  );
  for (const name of holders) {
    const org = oscar.organizations.find((o) => o.short_name === name)!;
    org.clients = [oscarClient('G-KNOWN')];
  }
  return { primero, oscar };
}

let systems: Systems | undefined;
afterEach(async () => {
  await systems?.close();
  systems = undefined;
});

const tenant = (state: any, name: string) =>
  state.organizations.find((org: any) => org.short_name === name);

describe('f1: a referral of a child OSCaR knows, to an NGO that does not hold the child', () => {
  it('fails with what to do; no upsert is sent, no identity minted, the holder untouched', async () => {
    systems = await startSystems(seeds(['kmr'], 'agency-cif'));
    const before = structuredClone(systems.oscar.state()) as any;
    const result = await runOnce(systems, undefined, { since: START });
    const failure = result.summary.failed.find((item) => item.kind === 'referral');
    expect(failure?.reason).toBe(
      'OSCaR cannot refer G-KNOWN to cif: only kmr holds the child; refer by hand in OSCaR',
    );
    expect(writeCounts(systems.oscar)[UPSERT] ?? 0).toBe(0);
    expect(result.oscarState.global_identities).toHaveLength(before.global_identities.length);
    // O1: sent anyway, OSCaR would have created nothing and overwritten kmr's copy.
    expect(tenant(result.oscarState, 'kmr').clients[0]).toMatchObject({
      given_name: 'Srey',
      local_given_name: 'ស្រីមុំ',
    });
    expect(tenant(result.oscarState, 'cif').referrals).toHaveLength(0);
    // Retried next run, not dropped.
    expect(result.next.retries.map((item) => item.key)).toContain(failure!.key);
  });
});

describe('f1: a referral of a child the receiving NGO holds', () => {
  it("creates the referral and keeps OSCaR's values; only what its API cannot keep changes, noted by ids", async () => {
    systems = await startSystems(seeds(['cif'], 'agency-cif'));
    const result = await runOnce(systems, undefined, { since: START });
    expect(result.summary.failed).toEqual([]);
    const cif = tenant(result.oscarState, 'cif');
    expect(cif.referrals).toHaveLength(1);
    expect(cif.referrals[0]).toMatchObject({ client_global_id: 'G-KNOWN', client_id: 1 });
    // O2: every attribute the update resets is sent with OSCaR's own value.
    expect(cif.clients[0]).toMatchObject({
      given_name: 'Srey',
      family_name: 'Kanha',
      gender: 'female',
      date_of_birth: '2012-12-12',
      mosvy_number: 'MOSVY-7',
      village_code: '12010101',
      external_id: 'case-known',
      // What OSCaR's API makes impossible to keep:
      local_given_name: null,
    });
    const note = result.logs.find((line) => line.includes('cleared local names'));
    expect(note).toContain('G-KNOWN');
    expect(note).toContain('f1-j2:referral:case-known:svc-known');
    for (const value of PRIVATE) expect(result.logs.join('\n')).not.toContain(value);
  });

  it('fails, naming the NGOs, when several NGOs hold different details OSCaR would overwrite', async () => {
    const seed = seeds(['kmr', 'cif'], 'agency-cif');
    const cif = seed.oscar.organizations.find((o) => o.short_name === 'cif')!;
    cif.clients = [oscarClient('G-KNOWN', { mosvy_number: 'MOSVY-8' })];
    systems = await startSystems(seed);
    const result = await runOnce(systems, undefined, { since: START });
    expect(result.summary.failed.map((item) => item.reason)).toEqual([
      'OSCaR cannot refer G-KNOWN to cif safely: kmr, cif hold different details of the child ' +
        'and OSCaR would overwrite one of them; refer by hand in OSCaR',
    ]);
    expect(writeCounts(systems.oscar)[UPSERT] ?? 0).toBe(0);
  });
});

describe('f1: a MoSVY decision on a referral from an NGO', () => {
  const decisionCase = {
    services_section: [
      {
        unique_id: 'svc-known',
        service_type: 'family_based_care',
        service_subtype: ['family_based_care_kinship'],
        service_response_type: 'referral_from_oscar',
        referral_status_edf41f2: 'accepted_340953',
        oscar_referral_id_a4ac8a5: '1',
      },
    ],
  };
  const ngoReferral = (from: string, uuid: string) => ({
    id: 1,
    client_id: 1,
    client_global_id: 'G-KNOWN',
    client_name: 'Srey Kanha',
    ngo_name: 'primero',
    referred_from: from,
    referred_to: 'primero',
    level_of_risk: 'low',
    referral_reason: 'invented',
    name_of_referee: 'ngo worker',
    referral_phone: '016000000',
    consent_form: ['consent.pdf'],
    services: [uuid],
  });

  function decisionSeeds(holders: string[]) {
    const seed = seeds(holders, 'agency-cif', decisionCase);
    (seed.primero as { referrals: unknown[] }).referrals = [];
    const uuid = (seed.oscar.services as Array<{ uuid: string }>)[0]!.uuid;
    // Each NGO has its own referral 1 (ids are per tenant); kmr's is the one MoSVY decided on.
    for (const name of holders) {
      const org = seed.oscar.organizations.find((o) => o.short_name === name)!;
      org.referrals = [ngoReferral(name, uuid)];
    }
    return seed;
  }

  it('is applied when one NGO holds the child', async () => {
    systems = await startSystems(decisionSeeds(['kmr']));
    const result = await runOnce(systems, undefined, { since: START });
    expect(result.summary.failed).toEqual([]);
    expect(tenant(result.oscarState, 'kmr').referrals[0].referral_status).toBe('Accepted');
  });

  it('fails naming the NGOs when several hold the child: OSCaR would pick the first one', async () => {
    systems = await startSystems(decisionSeeds(['cif', 'kmr']));
    const result = await runOnce(systems, undefined, { since: START });
    expect(result.summary.failed.map((item) => item.reason)).toEqual([
      'OSCaR cannot be told which referral 1 of G-KNOWN is meant: cif, kmr all hold the child ' +
        'and OSCaR looks the id up in one of them only; set the status by hand in OSCaR',
    ]);
    expect(writeCounts(systems.oscar)[STATUSES] ?? 0).toBe(0);
    expect(tenant(result.oscarState, 'cif').referrals[0].referral_status).toBe('Referred');
  });
});

describe('f1: a link of a child several NGOs hold', () => {
  it("reaches every NGO's copy (O6): it is one child", async () => {
    const seed = seeds(['cif', 'kmr'], 'agency-cif', { services_section: [] });
    (seed.primero as { referrals: unknown[] }).referrals = [];
    systems = await startSystems(seed);
    const result = await runOnce(systems, undefined, { since: START });
    expect(result.summary.failed).toEqual([]);
    for (const name of ['cif', 'kmr'])
      expect(tenant(result.oscarState, name).clients[0].external_id).toBe('case-known');
  });
});
