// Primero -> OSCaR end to end: the real workflow on @openfn/runtime against both emulators over
// HTTP, checking the records the emulators hold afterwards. One describe per rule of behaviour.md.
import { afterEach, describe, expect, it } from 'vitest';
import { baseOscarSeed, basePrimeroSeed, runOnce, startSystems, writeCounts } from './helpers.ts';
import type { Systems } from './helpers.ts';

const START = '2025-03-01T00:00:00.000Z';
const CIF = 'agency-cif';

// Invented children. Names and phones are checked against logs and stored state below.
const PRIVATE = [
  'Sokha',
  'Dara',
  'Chenda',
  'Piseth',
  'Bopha',
  '012345678',
  '2014-05-06',
  '2016-01-02',
];

const row = (unique_id: string, extra: Record<string, unknown> = {}) => ({
  unique_id,
  service_type: 'family_based_care',
  service_subtype: ['family_based_care_kinship'],
  service_response_type: 'referral_to_oscar',
  service_implementing_agency: CIF,
  ...extra,
});

const child = (n: number, extra: Record<string, unknown>) => ({
  id: `00000000-0000-4000-a000-00000000000${n}`,
  case_id: `case-000${n}`,
  case_id_display: `c000${n}`,
  name_first: ['Sokha', 'Dara', 'Chenda', 'Piseth', 'Bopha'][n - 1],
  name_last: 'Invented',
  sex: 'female',
  date_of_birth: n % 2 ? '2014-05-06' : '2016-01-02',
  location_current: '2020202',
  owned_by: 'mosvy_worker',
  owned_by_phone: '012345678',
  risk_level: 'high',
  consent_for_services: true,
  disclosure_other_orgs: true,
  created_at: '2025-03-02T08:00:00.000Z',
  last_updated_at: '2025-03-02T09:00:00.000Z',
  services_section: [],
  ...extra,
});

const referral = (n: number, service: string, extra: Record<string, unknown> = {}) => ({
  id: `ref-${n}-${service}`,
  record_id: `00000000-0000-4000-a000-00000000000${n}`,
  status: 'in_progress',
  service_record_id: service,
  transitioned_to: 'agency-cif-user',
  notes: `reason ${n} ${service}`,
  created_at: '2025-03-02T09:00:00.000Z',
  ...extra,
});

function seeds() {
  const primero = basePrimeroSeed([
    // 1: a plain referral to an NGO
    child(1, { services_section: [row('svc-1a')] }),
    // 2: no risk level -> item error, the others still land
    child(2, { risk_level: null, services_section: [row('svc-2a')] }),
    // 3: MoSVY accepted a referral that came from OSCaR (referral 1 of client G-ACCEPTED)
    child(3, {
      oscar_number: 'G-DECISION',
      services_section: [
        row('svc-3a', {
          service_response_type: 'referral_from_oscar',
          referral_status_edf41f2: 'accepted_340953',
          oscar_referral_id_a4ac8a5: '1',
        }),
      ],
    }),
    // 4: a child OSCaR already knows, no referral: a link
    child(4, { oscar_number: 'G-LINK' }),
    // 5: second referral of a child the NGO accepted: must carry global_id; a second service row
    // whose notes differ checks the reason comes from the referral being sent
    child(5, {
      oscar_number: 'G-ACCEPTED',
      services_section: [row('svc-5a'), row('svc-5b', { service_subtype: ['counselling_trauma'] })],
    }),
  ]);
  (primero as { referrals: unknown[] }).referrals = [
    referral(1, 'svc-1a'),
    referral(2, 'svc-2a'),
    referral(5, 'svc-5a'),
    referral(5, 'svc-5b', { notes: 'the second reason' }),
  ];
  const oscar = baseOscarSeed();
  const cif = oscar.organizations.find((org) => org.short_name === 'cif')!;
  const client = (id: number, global_id: string) => ({
    id,
    global_id,
    given_name: 'Invented',
    family_name: 'Client',
    gender: 'female',
    date_of_birth: '2013-01-01',
    status: 'Active',
  });
  cif.clients = [client(1, 'G-DECISION'), client(2, 'G-LINK'), client(3, 'G-ACCEPTED')];
  cif.referrals = [
    {
      id: 1,
      client_id: 1,
      client_global_id: 'G-DECISION',
      ngo_name: 'primero',
      referred_from: 'cif',
      referred_to: 'primero',
      referral_status: 'Referred',
      level_of_risk: 'medium',
      // What OSCaR's referral form requires (referral.rb l.18-29): update_statuses re-validates it.
      client_name: 'Invented Client',
      referral_reason: 'Invented reason',
      name_of_referee: 'NGO worker',
      referral_phone: '016000000',
      consent_form: ['consent.pdf'],
      services: [(oscar.services as Array<{ uuid: string }>)[0]!.uuid],
    },
  ];
  return { primero, oscar };
}

let systems: Systems | undefined;
afterEach(async () => {
  await systems?.close();
  systems = undefined;
});

const tenant = (state: any, name: string) =>
  state.organizations.find((org: any) => org.short_name === name);

describe('f1: Primero referrals, decisions and links reach OSCaR', () => {
  it('sends each referral with the receiving NGO, risk level, service and its own reason', async () => {
    systems = await startSystems(seeds());
    const result = await runOnce(systems, undefined, { since: START });
    expect(result.summary.error).toBeUndefined();
    const cif = tenant(result.oscarState, 'cif');
    const sent = cif.referrals.filter((r: any) => r.external_id?.startsWith('case-'));
    const ofCase1 = sent.filter((r: any) => r.external_id === 'case-0001');
    expect(ofCase1).toHaveLength(1);
    expect(ofCase1[0]).toMatchObject({
      referred_to: 'cif',
      level_of_risk: 'high',
      referral_reason: 'reason 1 svc-1a',
    });
    expect(ofCase1[0].services).toHaveLength(1);
    // The second referral of an accepted child reaches the client (global_id sent).
    const ofCase5 = cif.referrals.filter((r: any) => r.client_global_id === 'G-ACCEPTED');
    expect(ofCase5.length).toBeGreaterThanOrEqual(1);
    expect(ofCase5.every((r: any) => r.client_id === 3)).toBe(true);
    expect(ofCase5.map((r: any) => r.referral_reason).sort()).toEqual([
      'reason 5 svc-5a',
      'the second reason',
    ]);
  });

  it('reports a referral without risk level with a reason and retries it next run', async () => {
    systems = await startSystems(seeds());
    const first = await runOnce(systems, undefined, { since: START });
    const failure = first.summary.failed.find((item) => item.ids.case_id === 'case-0002');
    expect(failure).toMatchObject({
      kind: 'referral',
      reason: 'risk level is not set in Primero',
      attempts: 1,
    });
    expect(first.next.retries.map((item) => item.key)).toContain(failure!.key);
    const second = await runOnce(systems, first.next);
    expect(second.summary.failed.find((item) => item.key === failure!.key)?.attempts).toBe(2);
  });

  it('sends the MoSVY decision to the right OSCaR referral', async () => {
    systems = await startSystems(seeds());
    const result = await runOnce(systems, undefined, { since: START });
    const referral = tenant(result.oscarState, 'cif').referrals.find((r: any) => r.id === 1);
    expect(referral.referral_status).toBe('Accepted');
  });

  it('tells OSCaR the Primero case id of a child it knows', async () => {
    systems = await startSystems(seeds());
    const result = await runOnce(systems, undefined, { since: START });
    const client = tenant(result.oscarState, 'cif').clients.find(
      (c: any) => c.global_id === 'G-LINK',
    );
    expect(client.external_id).toBe('case-0004');
  });
});

describe('f1: running the same window twice', () => {
  it('creates no second OSCaR referral and the second run writes nothing to OSCaR', async () => {
    systems = await startSystems(seeds());
    const first = await runOnce(systems, undefined, { since: START });
    const referralsAfterFirst = tenant(first.oscarState, 'cif').referrals.length;
    const writesAfterFirst = writeCounts(systems.oscar);
    // Same window again (backfill) with the state the first run handed on.
    const second = await runOnce(systems, first.next, { since: START });
    expect(tenant(second.oscarState, 'cif').referrals.length).toBe(referralsAfterFirst);
    expect(second.oscarState).toEqual(first.oscarState);
    expect(second.summary.steps['f1-j2'].written).toBe(0);
    expect(second.summary.steps['f1-j2'].unchanged).toBeGreaterThan(0);
    const writes = writeCounts(systems.oscar);
    for (const route of [
      'POST /api/v1/organizations/clients/upsert',
      'PUT /api/v1/organizations/referrals/update_statuses',
      'PUT /api/v1/organizations/clients/update_links',
    ]) {
      expect(writes[route] ?? 0, route).toBe(writesAfterFirst[route] ?? 0);
    }
  });
});

describe('f1: the sent ledger past its retention', () => {
  it('a record older than 400 days counts as never sent: it goes again (a backfill) and its record is renewed', async () => {
    systems = await startSystems(seeds());
    const first = await runOnce(systems, undefined, { since: START });
    const referral = (first.next.sent ?? []).find((record) => record.key.startsWith('referral:'));
    const agedKeys = ['link:G-LINK', referral!.key];
    const old = '2020-01-01T00:00:00.000Z';
    const aged = (first.next.sent ?? []).map((record) =>
      agedKeys.includes(record.key) ? { ...record, at: old } : record,
    );
    const before = writeCounts(systems.oscar);
    const second = await runOnce(systems, { ...first.next, sent: aged }, { since: START });
    const wrote = (kind: string) =>
      second.logs.filter((line) => line.includes(`f1-j2: wrote f1-j2:${kind}:`));
    expect(wrote('link')).toHaveLength(1);
    expect(wrote('referral')).toHaveLength(1);
    const after = writeCounts(systems.oscar);
    for (const route of [
      'PUT /api/v1/organizations/clients/update_links',
      'POST /api/v1/organizations/clients/upsert',
    ])
      expect(after[route], route).toBe((before[route] ?? 0) + 1);
    for (const key of agedKeys) {
      const renewed = second.next.sent?.find((record) => record.key === key);
      expect(renewed && Date.parse(renewed.at), key).toBeGreaterThan(Date.parse(old));
    }
  });
});

describe('f1: a failed run', () => {
  it('leaves the cursors where they were; the next run completes the window', async () => {
    systems = await startSystems(seeds());
    const carried = {
      cursors: { primero: START, oscar: '2025-03-01 00:00:00' },
      retries: [],
      deadLetters: [],
    };
    systems.oscar.setFaults({ rules: [{ route: '*', status: 503 }] });
    const failed = await runOnce(systems, carried, { settings: { maxAttempts: 5 } });
    expect(failed.summary.ok).toBe(false);
    expect(failed.summary.error).toMatch(/f1-j2/);
    expect(failed.next.cursors).toEqual(carried.cursors);
    systems.oscar.setFaults({});
    const next = await runOnce(systems, failed.next);
    expect(next.summary.error).toBeUndefined();
    expect(
      tenant(next.oscarState, 'cif').referrals.some((r: any) => r.external_id === 'case-0001'),
    ).toBe(true);
  });
});

describe('f1: dry run', () => {
  it('writes nothing and lists planned writes by id', async () => {
    systems = await startSystems(seeds());
    const before = systems.oscar.state();
    const result = await runOnce(systems, undefined, { since: START, dryRun: true });
    expect(writeCounts(systems.oscar)).toEqual({});
    expect(writeCounts(systems.primero)).toEqual({});
    expect(result.oscarState).toEqual(before);
    const planned = result.summary.planned.filter((write) => write.step === 'f1-j2');
    expect(planned.map((write) => write.ids.case_id).sort()).toEqual([
      'case-0001',
      'case-0003',
      'case-0003',
      'case-0004',
      'case-0005',
      'case-0005',
    ]);
    expect(result.next).toEqual({ cursors: {}, retries: [], deadLetters: [] });
  });
});

describe('f1: privacy', () => {
  it('keeps names, birth dates and phones out of logs and stored state', async () => {
    systems = await startSystems(seeds());
    const result = await runOnce(systems, undefined, { since: START });
    const stored =
      JSON.stringify({ summary: result.summary, next: result.next }) + result.logs.join('\n');
    for (const secret of PRIVATE) expect(stored).not.toContain(secret);
    expect(stored).not.toContain('demo-only-password');
  });
});
