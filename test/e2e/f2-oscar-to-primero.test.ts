// OSCaR -> Primero end to end: the real workflow on @openfn/runtime against both emulators over
// HTTP, checking what Primero holds afterwards. One describe per rule of behaviour.md (f2).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EXTERNAL_SYSTEM_NAME,
  baseOscarSeed,
  basePrimeroSeed,
  runOnce,
  startSystems,
  writeCounts,
} from './helpers.ts';
import type { Systems } from './helpers.ts';

const START = '2025-03-01T00:00:00.000Z';
const BEFORE = '2025-02-01T00:00:00.000Z';
const AT = '2025-03-02T08:00:00.000Z';
// Invented children; checked against logs and run records below.
const PRIVATE = ['Sophea', 'Vanna', 'Rith', 'Kosal', 'សុភា', '2013-04-05', '2014-02-30'];

function seeds() {
  const oscar = baseOscarSeed();
  const uuidOf = (name: string) =>
    (oscar.services as Array<{ uuid: string; name: string }>).find((s) => s.name === name)!.uuid;
  const org = (name: string) => oscar.organizations.find((o) => o.short_name === name)!;
  let n = 0;
  const kid = (globalId: string | null, extra: Record<string, unknown> = {}) => ({
    id: ++n,
    slug: `kid-${n}`,
    global_id: globalId,
    given_name: ['Sophea', 'Vanna', 'Rith', 'Kosal'][n % 4],
    family_name: 'Invented',
    local_given_name: 'សុភា',
    local_family_name: 'សុខ',
    gender: n % 2 ? 'female' : 'male',
    date_of_birth: '2013-04-05',
    village_code: '12010101',
    case_workers: [{ name: 'NGO worker', mobile: '012999999' }],
    created_at: AT,
    ...extra,
  });
  const toMosvy = (
    id: number,
    clientId: number,
    globalId: string,
    services: string[],
    extra: Record<string, unknown> = {},
  ) => ({
    id,
    client_id: clientId,
    client_global_id: globalId,
    ngo_name: EXTERNAL_SYSTEM_NAME,
    referred_to: EXTERNAL_SYSTEM_NAME,
    referral_status: 'Referred',
    level_of_risk: 'medium',
    referral_reason: 'invented reason',
    services: services.map(uuidOf),
    created_at: AT,
    ...extra,
  });

  // An NGO referral to MoSVY from Kandal (08); the decisions on two referrals MoSVY sent to cif.
  const referred = kid('G-REF', { referred_external: true, village_code: '08020304' });
  const decided = kid('G-ACC', { external_id: 'case-dec', external_id_display: 'c-dec' });
  org('cif').clients = [referred, decided];
  org('cif').referrals = [
    toMosvy(1, decided.id, 'G-ACC', ['Kinship care'], {
      referral_status: 'Accepted',
      referred_from: EXTERNAL_SYSTEM_NAME,
      referred_to: 'cif',
      external_id: 'case-dec',
    }),
    toMosvy(2, decided.id, 'G-ACC', ['Trauma counselling'], {
      referral_status: 'Exited',
      referred_from: EXTERNAL_SYSTEM_NAME,
      referred_to: 'cif',
      external_id: 'case-dec',
    }),
    toMosvy(3, referred.id, 'G-REF', ['Kinship care']),
  ];
  // A Stung Treng (19) referral; a plain NGO case; bad data.
  const stungTreng = kid('G-STG', { referred_external: true, village_code: '19010203' });
  org('holt').clients = [stungTreng];
  org('holt').referrals = [toMosvy(1, stungTreng.id, 'G-STG', ['Family preservation'])];
  org('mtp').clients = [kid('G-NGO')];
  const badProvince = kid('G-BADPROV', { referred_external: true, village_code: '31010101' });
  org('tlc').clients = [badProvince];
  org('tlc').referrals = [toMosvy(1, badProvince.id, 'G-BADPROV', ['Kinship care'])];
  org('kmr').clients = [kid('G-AMB')];
  org('isf').clients = [kid('G-BADDATE', { date_of_birth: '2014-02-30' }), kid(null)];
  oscar.organizations.push(
    {
      id: 90,
      short_name: 'zzz',
      full_name: 'Unknown NGO',
      integrated: true,
      address_code: '120101',
      clients: [kid('G-NOAGENCY')],
      referrals: [],
    },
    {
      id: 91,
      short_name: 'demo',
      full_name: 'Demo',
      integrated: true,
      address_code: '120101',
      clients: [kid('G-DEMO')],
      referrals: [],
    },
  );

  const mosvyCase = (id: string, extra: Record<string, unknown>) => ({
    id,
    name_first: 'Kosal',
    sex: 'male',
    owned_by: 'mosvy_worker',
    created_by: 'mosvy_worker',
    consent_for_services: true,
    disclosure_other_orgs: true,
    created_at: BEFORE,
    last_updated_at: BEFORE,
    ...extra,
  });
  const toOscarRow = (unique_id: string, subtype: string, type: string) => ({
    unique_id,
    service_type: type,
    service_subtype: [subtype],
    service_response_type: 'referral_to_oscar',
    service_implementing_agency: 'agency-cif',
    referral_status_edf41f2: 'pending_310366',
  });
  const primero = basePrimeroSeed([
    mosvyCase('11111111-0000-4000-a000-000000000001', {
      case_id: 'case-dec',
      services_section: [
        toOscarRow('row-kinship', 'family_based_care_kinship', 'family_based_care'),
        toOscarRow('row-trauma', 'counselling_trauma', 'counselling'),
      ],
    }),
    mosvyCase('11111111-0000-4000-a000-000000000002', { oscar_number: 'G-AMB' }),
    mosvyCase('11111111-0000-4000-a000-000000000003', { oscar_number: 'G-AMB' }),
  ]);
  const inProgress = (id: string, row: string) => ({
    id,
    record_id: '11111111-0000-4000-a000-000000000001',
    status: 'in_progress',
    service_record_id: row,
    transitioned_to: 'agency-cif-user',
    created_at: BEFORE,
  });
  (primero as { referrals: unknown[] }).referrals = [
    inProgress('ref-kinship', 'row-kinship'),
    inProgress('ref-trauma', 'row-trauma'),
  ];
  return { primero, oscar };
}

type Case = Record<string, any>;
const caseOf = (state: any, globalId: string): Case | undefined =>
  state.cases.find((c: Case) => c.oscar_number === globalId);
const f2Failures = (
  failed: Array<{ step: string; ids: Record<string, string>; reason: string; attempts: number }>,
) => failed.filter((f) => f.step.startsWith('f2'));

let systems: Systems | undefined;
afterEach(async () => {
  await systems?.close();
  systems = undefined;
});

// One run of one window, shared read-only by the rules below (each rule its own describe).
describe('f2: one window of OSCaR clients, rule by rule', () => {
  let shared: Systems | undefined;
  let result: Awaited<ReturnType<typeof runOnce>>;
  let state: any;
  beforeAll(async () => {
    shared = await startSystems(seeds());
    result = await runOnce(shared, undefined, { since: START });
    state = result.primeroState;
  });
  afterAll(async () => {
    await shared?.close();
  });

  describe('the run', () => {
    it('succeeds: bad clients are reported as items, they do not fail the run', () => {
      expect(result.summary.error ?? '').toBe('');
      expect(result.summary.ok).toBe(true);
      expect(result.summary.steps['f2-j2']).toMatchObject({ written: 4, failed: 4 });
    });
  });

  describe('an NGO referral to MoSVY', () => {
    it('lands with the province user of Kandal and a pending referral_from_oscar row', () => {
      const ref = caseOf(state, 'G-REF')!;
      expect(ref).toMatchObject({
        owned_by: 'mgrkdl',
        protection_status: 'oscar_referral',
        risk_level: 'medium',
        location_current: '8020304',
        module_id: 'primeromodule-cp',
      });
      expect(ref.services_section).toHaveLength(1);
      expect(ref.services_section[0]).toMatchObject({
        service_response_type: 'referral_from_oscar',
        referral_status_edf41f2: 'pending_310366',
        oscar_referral_id_a4ac8a5: '3',
        service_subtype: ['family_based_care_kinship'],
        service_implementing_agency: 'agency-cif',
      });
    });
  });

  describe('names', () => {
    it('Part A (referred) clients carry no local names; Part B clients do: `local (english)`', () => {
      expect(caseOf(state, 'G-REF')!.name_first).toMatch(/^[A-Za-z]+$/);
      expect(caseOf(state, 'G-NGO')!.name_first).toMatch(/^សុភា \([A-Za-z]+\)$/);
    });
  });

  describe('owner', () => {
    it('Stung Treng (19) -> mgrstg; a non-referred NGO case -> its agency user', () => {
      expect(caseOf(state, 'G-STG')).toMatchObject({ owned_by: 'mgrstg' });
      expect(caseOf(state, 'G-NGO')).toMatchObject({ owned_by: 'agency-mtp-user' });
      expect(caseOf(state, 'G-NGO')).not.toHaveProperty('protection_status');
    });
  });

  describe('decisions from OSCaR', () => {
    it('Accepted -> accepted, Exited -> rejected, on the right referrals and rows', () => {
      const dec = state.cases.find((c: Case) => c.case_id === 'case-dec');
      const rows = Object.fromEntries(dec.services_section.map((r: Case) => [r.unique_id, r]));
      expect(rows['row-kinship']).toMatchObject({
        referral_status_edf41f2: 'accepted_340953',
        oscar_referral_id_a4ac8a5: '1',
      });
      expect(rows['row-trauma']).toMatchObject({
        referral_status_edf41f2: 'rejected_936484',
        oscar_referral_id_a4ac8a5: '2',
      });
      expect(dec.services_section).toHaveLength(2);
      const referrals = Object.fromEntries(state.referrals.map((r: Case) => [r.id, r.status]));
      expect(referrals).toEqual({ 'ref-kinship': 'accepted', 'ref-trauma': 'rejected' });
    });

    it('the case MoSVY made keeps its owner and learns its oscar_number (flow 0)', () => {
      const dec = state.cases.find((c: Case) => c.case_id === 'case-dec');
      expect(dec).toMatchObject({ oscar_number: 'G-ACC', owned_by: 'mosvy_worker' });
    });
  });

  describe('excluded organisations', () => {
    it('the demo organisation is skipped, never written, only counted', () => {
      expect(caseOf(state, 'G-DEMO')).toBeUndefined();
      expect(result.summary.steps['f2-j1'].skipped).toBe(1);
    });
  });

  describe('bad data', () => {
    it('each bad client is reported with its ids and a reason, and nothing is written for it', () => {
      const failures = f2Failures(result.summary.failed);
      const reasonFor = (globalId: string) =>
        failures.find((f) => f.ids.global_id === globalId)?.reason;
      expect(reasonFor('G-BADPROV')).toMatch(/31/);
      expect(reasonFor('G-NOAGENCY')).toMatch(/"zzz".*agencies\.json/);
      expect(reasonFor('G-AMB')).toMatch(/ambiguous match/);
      expect(reasonFor('G-BADDATE')).toMatch(/date/i);
      expect(failures.some((f) => f.step === 'f2-j1' && /global_id/.test(f.reason))).toBe(true);
      expect(failures).toHaveLength(5);
      for (const id of ['G-BADPROV', 'G-NOAGENCY', 'G-BADDATE'])
        expect(caseOf(state, id)).toBeUndefined();
      expect(state.cases.filter((c: Case) => c.oscar_number === 'G-AMB')).toHaveLength(2);
    });
  });

  describe('privacy', () => {
    it('no names or birth dates in logs or the run record', () => {
      const record = JSON.stringify({
        logs: result.logs,
        summary: result.summary,
        next: result.next,
      });
      for (const text of PRIVATE) expect(record).not.toContain(text);
    });
  });
});

describe('f2: idempotency and retries', () => {
  it('the same window twice writes nothing to Primero; failed clients are read again and retried', async () => {
    systems = await startSystems(seeds());
    const first = await runOnce(systems, undefined, { since: START });
    const primeroWrites = writeCounts(systems.primero);
    const second = await runOnce(systems, first.next, { since: START });
    expect(second.summary.ok).toBe(true);
    expect(writeCounts(systems.primero)).toEqual(primeroWrites);
    expect(second.primeroState).toEqual(first.primeroState);
    expect(second.summary.steps['f2-j2']).toMatchObject({ written: 0, unchanged: 4, failed: 4 });

    // Without an explicit start the cursor has moved past these clients; the window widens back
    // for the failed ones, which are attempted again (never dropped) and still write nothing.
    const third = await runOnce(systems, second.next);
    expect(third.logs.join('\n')).toMatch(/widened from/);
    const failures = f2Failures(third.summary.failed);
    expect(failures).toHaveLength(5);
    expect(failures.every((f) => f.attempts === 3)).toBe(true);
    expect(writeCounts(systems.primero)).toEqual(primeroWrites);
    expect(third.next.cursors.oscar).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });
});
