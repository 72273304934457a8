// OSCaR -> Primero decisions, one describe per rule of behaviour.md (f2-j1, f2-j2). Invented children.
import { describe, expect, it } from 'vitest';
import type { OscarClientRecord } from '../../src/model/oscar.ts';
import { listedClient } from '../../src/model/oscar.ts';
import type { PrimeroCase, PrimeroReferral } from '../../src/model/primero.ts';
import { emptyReport } from '../../src/workflow/outcomes.ts';
import { createLimiter } from '../../src/http/limiter.ts';
import type { CarriedState, FailedItem } from '../../src/workflow/contract.ts';
import {
  caseKey,
  groupChildren,
  newCaseIdFor,
  oscarWindow,
  packChild,
  planCaseUpsert,
  rowIdFor,
  selectClients,
  serviceEntriesOf,
  toOscarTime,
  unpackChild,
  upsertChild,
  upsertChildren,
} from '../../src/sync/oscar-to-primero.ts';
import type { OscarChild, PrimeroCases } from '../../src/sync/oscar-to-primero.ts';
import {
  ItemError,
  alwaysFields,
  caseOriginatedInPrimero,
  chooseCase,
  lookupOf,
  needsReferrals,
  newCaseFields,
  ownerFor,
  parseOscarTime,
  planServiceRows,
  windowStartOf,
} from '../../src/sync/oscar-to-primero.ts';
import { servicesHidden } from '../../src/sync/oscar-to-primero/awaiting-services.ts';
import { appliedMemory, fingerprintOf } from '../../src/sync/oscar-to-primero/fingerprint.ts';
import { batchPrints } from '../../src/sync/oscar-to-primero/upsert.ts';
import { packListed, packedGlobalId } from '../../src/sync/oscar-to-primero/children.ts';
import type { PackedChild } from '../../src/sync/oscar-to-primero/children.ts';
import { childrenAfter } from '../../src/sync/oscar-to-primero/resume.ts';
import { pendingOscarItems } from '../../src/sync/oscar-to-primero/window.ts';
import { memoryStateStore } from '../../src/workflow/state-store.ts';

const TODAY = new Date('2025-03-10T08:00:00Z');
const SYNC_USER = 'primero_oscar_sync';
const G1 = '01JAAAAAAAAAAAAAAAAAAAAAA1';

function client(over: Partial<OscarClientRecord> = {}): OscarClientRecord {
  return {
    global_id: G1,
    slug: 'cif-7',
    given_name: 'Dara',
    family_name: 'Sok',
    local_given_name: 'ដារា',
    local_family_name: 'សុខ',
    gender: 'female',
    date_of_birth: '2014-05-02',
    location_current_village_code: '19020301',
    organization_name: 'cif',
    organization_address_code: '120101',
    status: 'Active',
    is_referred: false,
    level_of_risk: 'no action',
    mosvy_number: 'MV-1',
    case_worker_name: 'Worker A',
    case_worker_mobile: '012000000',
    reason_for_referral: 'needs support',
    services: [],
    ...over,
  };
}

const child = (...records: OscarClientRecord[]): OscarChild => groupChildren(records)[0]!;
const carried = (retries: FailedItem[] = []): CarriedState => ({
  cursors: { oscar: '2025-03-10 00:00:00' },
  retries,
  deadLetters: [],
});

function primeroCase(over: Partial<PrimeroCase> = {}): PrimeroCase {
  return {
    id: 'p-1',
    case_id: 'case-1',
    last_updated_at: '2025-03-01T00:00:00.000Z',
    created_by: 'mosvy_worker',
    ...over,
  } as PrimeroCase;
}

const referralEntry = (id: number, status: string, name = 'Kinship care') => ({
  uuid: 'svc-kinship',
  name,
  program_name: null,
  enrollment_date: null,
  referral_id: id,
  referral_status: status,
});

/** A row MoSVY referred to cif, waiting for the NGO's decision. */
const pendingRow = {
  unique_id: 'row-1',
  service_subtype: ['family_based_care_kinship'],
  service_response_type: 'referral_to_oscar',
  referral_status_edf41f2: 'pending_310366',
  service_implementing_agency: 'agency-cif',
};

describe('f2-j1: the window and the next cursor', () => {
  it('asks OSCaR since the stored cursor, in OSCaR form', () => {
    expect(oscarWindow({ carried: carried() }).since).toBe('2025-03-10 00:00:00');
  });
  it('an operator start (ISO) wins and is written as an OSCaR UTC time', () => {
    expect(oscarWindow({ carried: carried(), since: '2025-02-01T06:30:00Z' }).since).toBe(
      '2025-02-01 06:30:00',
    );
  });
  it('refuses to run without any start', () => {
    expect(() => oscarWindow({ carried: { cursors: {}, retries: [], deadLetters: [] } })).toThrow(
      /--since/,
    );
  });
  it('widens back to the window of a client still pending, so OSCaR lists it again', () => {
    const pending = {
      key: caseKey(G1),
      step: 'f2-j2',
      kind: 'case',
      ids: { global_id: G1, oscar_since: '2025-03-08 10:00:00' },
    } as unknown as FailedItem;
    const window = oscarWindow({ carried: carried([pending]) });
    expect(window.since).toBe('2025-03-08 10:00:00');
    expect(window.widenedFor).toBe(1);
  });
  it('the candidate cursor is the fetch start as YYYY-MM-DD HH:MM:SS (UTC)', () => {
    expect(toOscarTime(new Date('2025-03-10T09:05:07.123Z'))).toBe('2025-03-10 09:05:07');
  });
});

describe('f2-j1: excluded organisations and unusable clients', () => {
  it('drops demo clients (counted, not failed), fails unusable ones with a reason, keeps the rest', () => {
    const report = emptyReport();
    const batch = selectClients({
      listing: {
        clients: [
          client(),
          client({ global_id: 'DEMO1', organization_name: 'demo' }),
          client({ global_id: 'bad id!', slug: 'cif-9' }),
        ].map(listedClient),
        invalid: [{ index: 3, reason: 'global_id: must be a non-empty string' }],
      },
      excludedOrgs: ['demo'],
      since: '2025-03-10 00:00:00',
      carried: carried(),
      report,
      now: TODAY.toISOString(),
    });
    expect(batch.children.map((c) => unpackChild(c).globalId)).toEqual([G1]);
    expect(report.steps['f2-j1']).toMatchObject({ fetched: 4, skipped: 1, failed: 2 });
    expect(report.failed.map((f) => f.reason).join(' ')).toMatch(/global_id/);
    expect(report.failed.every((f) => f.ids.oscar_since === '2025-03-10 00:00:00')).toBe(true);
    expect(JSON.stringify(report)).not.toMatch(/Dara|ដារា|2014-05-02/);
  });
  it('a pending client OSCaR no longer lists fails again instead of being dropped', () => {
    const report = emptyReport();
    const pending = {
      key: caseKey('01JGONE'),
      step: 'f2-j2',
      kind: 'case',
      ids: { global_id: '01JGONE', oscar_since: '2025-03-01 00:00:00' },
      attempts: 1,
    } as unknown as FailedItem;
    selectClients({
      listing: { clients: [], invalid: [] },
      excludedOrgs: [],
      since: '2025-03-01 00:00:00',
      carried: carried([pending]),
      report,
      now: TODAY.toISOString(),
    });
    expect(report.failed[0]).toMatchObject({ key: caseKey('01JGONE'), attempts: 2 });
    expect(report.failed[0]!.reason).toMatch(/no longer lists/);
  });
});

describe('f2-j2: find the Primero case (ambiguous match is an item error)', () => {
  function port(cases: {
    byCaseId?: PrimeroCase[];
    byNumber?: PrimeroCase[];
  }): PrimeroCases & { writes: string[] } {
    const writes: string[] = [];
    return {
      writes,
      findCases: async (f) => (f.case_id ? (cases.byCaseId ?? []) : (cases.byNumber ?? [])),
      listReferrals: async () => [],
      createCase: async (d) => (writes.push(`create ${d.id}`), { id: String(d.id), created: true }),
      updateCase: async (id) => {
        writes.push(`update ${id}`);
      },
      updateReferral: async () => ({}) as PrimeroReferral,
    };
  }
  const ctx = (primero: PrimeroCases) => ({
    primero,
    syncUser: SYNC_USER,
    dryRun: false,
    concurrency: 1,
    report: emptyReport(),
    carried: carried(),
    now: TODAY.toISOString(),
    today: TODAY,
  });

  it('two cases with the oscar_number: nothing written, failure names the ids', async () => {
    const primero = port({ byNumber: [primeroCase({ id: 'a' }), primeroCase({ id: 'b' })] });
    const c = ctx(primero);
    await upsertChild(child(client()), '2025-03-10 00:00:00', c);
    expect(primero.writes).toEqual([]);
    expect(c.report.failed[0]).toMatchObject({
      kind: 'case',
      ids: { global_id: G1, oscar_since: '2025-03-10 00:00:00' },
    });
    expect(c.report.failed[0]!.reason).toMatch(/ambiguous match.*a, b/);
  });
  it('none: creates with a deterministic id; by case_id when OSCaR knows it', async () => {
    const primero = port({});
    const c = ctx(primero);
    await upsertChild(child(client()), '2025-03-10 00:00:00', c);
    expect(primero.writes).toEqual([`create ${newCaseIdFor(G1)}`]);
    expect(c.report.steps['f2-j2'].written).toBe(1);
  });
  it('a dry run records the planned write and writes nothing', async () => {
    const primero = port({});
    const c = { ...ctx(primero), dryRun: true };
    await upsertChild(child(client()), '2025-03-10 00:00:00', c);
    expect(primero.writes).toEqual([]);
    expect(c.report.planned).toEqual([
      { step: 'f2-j2', action: 'create case', ids: { global_id: G1, id: newCaseIdFor(G1) } },
    ]);
  });
});

describe('f2-j2: new case fields', () => {
  it('sets names local (english), sex, repaired date of birth, age, Primero location, consent, module', () => {
    const plan = planCaseUpsert({
      child: child(
        client({ date_of_birth: '22012-01-01', location_current_village_code: '02020202' }),
      ),
      syncUser: SYNC_USER,
      today: TODAY,
    });
    expect(plan.action).toBe('create');
    expect(plan.write).toMatchObject({
      name_first: 'ដារា (Dara)',
      name_last: 'សុខ (Sok)',
      sex: 'female',
      date_of_birth: '2012-01-01',
      age: 13,
      location_current: '2020202',
      module_id: 'primeromodule-cp',
      consent_for_services: true,
      disclosure_other_orgs: true,
    });
    expect(plan.write).not.toHaveProperty('protection_status');
  });
  it('referrals get protection_status oscar_referral and interview_subject other', () => {
    const plan = planCaseUpsert({
      child: child(client({ is_referred: true })),
      syncUser: SYNC_USER,
      today: TODAY,
    });
    expect(plan.write).toMatchObject({
      protection_status: 'oscar_referral',
      interview_subject: 'other',
    });
  });
  it('an impossible date of birth is an item error that does not repeat the date', () => {
    expect(() =>
      planCaseUpsert({
        child: child(client({ date_of_birth: '2014-02-30' })),
        syncUser: SYNC_USER,
        today: TODAY,
      }),
    ).toThrow(/not a real calendar date/);
  });
  it('are never overwritten on update', () => {
    const plan = planCaseUpsert({
      child: child(client()),
      existing: primeroCase({ name_first: 'Changed in Primero', oscar_number: G1 }),
      syncUser: SYNC_USER,
      today: TODAY,
    });
    expect(plan.write ?? {}).not.toHaveProperty('name_first');
    expect(plan.write ?? {}).not.toHaveProperty('date_of_birth');
  });
});

describe('f2-j2: always-set fields', () => {
  it('oscar_number, oscar_short_id, mosvy_number, oscar_status, risk_level (no action -> no_action)', () => {
    const plan = planCaseUpsert({
      child: child(client()),
      existing: primeroCase(),
      syncUser: SYNC_USER,
      today: TODAY,
    });
    expect(plan.write).toEqual({
      oscar_number: G1,
      oscar_short_id: 'cif-7',
      mosvy_number: 'MV-1',
      oscar_status: 'Active',
      risk_level: 'no_action',
    });
  });
  it('flow 0: a case found by the case_id OSCaR knows gets its oscar_number', () => {
    const plan = planCaseUpsert({
      child: child(client({ external_id: 'case-1' })),
      existing: primeroCase({ oscar_number: null }),
      syncUser: SYNC_USER,
      today: TODAY,
    });
    expect(plan.write).toMatchObject({ oscar_number: G1 });
  });
});

describe('f2-j2: owned_by', () => {
  it('referred children go to the province user (Stung Treng 19 -> mgrstg)', () => {
    const plan = planCaseUpsert({
      child: child(client({ is_referred: true })),
      syncUser: SYNC_USER,
      today: TODAY,
    });
    expect(plan.write?.owned_by).toBe('mgrstg');
  });
  it('falls back to the organisation address code', () => {
    const plan = planCaseUpsert({
      child: child(client({ is_referred: true, location_current_village_code: '' })),
      syncUser: SYNC_USER,
      today: TODAY,
    });
    expect(plan.write?.owned_by).toBe('mgrpnh');
  });
  it('others go to the agency user of their NGO', () => {
    const plan = planCaseUpsert({ child: child(client()), syncUser: SYNC_USER, today: TODAY });
    expect(plan.write?.owned_by).toBe('agency-cif-user');
  });
  it('unknown province or agency is an item error naming the code', () => {
    expect(() =>
      planCaseUpsert({
        child: child(client({ is_referred: true, location_current_village_code: '31010101' })),
        syncUser: SYNC_USER,
        today: TODAY,
      }),
    ).toThrow(/31/);
    expect(() =>
      planCaseUpsert({
        child: child(client({ organization_name: 'nowhere' })),
        syncUser: SYNC_USER,
        today: TODAY,
      }),
    ).toThrow(/"nowhere"/);
  });
  it('a case that came from Primero keeps its owner; a case this sync made follows OSCaR', () => {
    const fromPrimero = planCaseUpsert({
      child: child(client()),
      existing: primeroCase({ owned_by: 'mosvy_worker' }),
      syncUser: SYNC_USER,
      today: TODAY,
    });
    expect(fromPrimero.write ?? {}).not.toHaveProperty('owned_by');
    const ours = planCaseUpsert({
      child: child(client()),
      existing: primeroCase({ created_by: SYNC_USER, owned_by: 'agency-holt-user' }),
      syncUser: SYNC_USER,
      today: TODAY,
    });
    expect(ours.write?.owned_by).toBe('agency-cif-user');
  });
});

describe('f2-j2: services_section rows keep their identity', () => {
  const twoReferrals = client({
    is_referred: true,
    services: [referralEntry(4, 'Referred'), referralEntry(5, 'Referred')],
  });
  it('two referrals of one service are two rows with deterministic ids, new referral_from_oscar rows pending', () => {
    const plan = planCaseUpsert({ child: child(twoReferrals), syncUser: SYNC_USER, today: TODAY });
    const rows = plan.write!.services_section!;
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.unique_id)).size).toBe(2);
    expect(rows[0]).toMatchObject({
      service_type: 'family_based_care',
      service_subtype: ['family_based_care_kinship'],
      service_response_type: 'referral_from_oscar',
      referral_status_edf41f2: 'pending_310366',
      oscar_referral_id_a4ac8a5: '4',
      service_implementing_agency: 'agency-cif',
    });
    const again = planCaseUpsert({ child: child(twoReferrals), syncUser: SYNC_USER, today: TODAY });
    expect(again.write!.services_section!.map((r) => r.unique_id)).toEqual(
      rows.map((r) => r.unique_id),
    );
  });
  it('an enrolled service is provided by the OSCaR partner', () => {
    const c = client({
      services: [
        {
          uuid: 'svc-kinship',
          name: 'Kinship care',
          program_name: 'Care',
          enrollment_date: '2025-01-02',
        },
      ],
    });
    const rows = planCaseUpsert({ child: child(c), syncUser: SYNC_USER, today: TODAY }).write!
      .services_section!;
    expect(rows[0]).toMatchObject({
      service_response_type: 'service_being_provided_by_oscar_partner_47618',
      service_response_day_time: '2025-01-02T00:00:00.000Z',
    });
    expect(rows[0]).not.toHaveProperty('referral_status_edf41f2');
  });
  it('an existing row is found by oscar referral id, by our id, or by the legacy catalogue uuid', () => {
    const c = child(twoReferrals);
    const [e4] = serviceEntriesOf(c);
    const existing = primeroCase({
      created_by: SYNC_USER,
      services_section: [
        {
          unique_id: 'kept-4',
          oscar_referral_id_a4ac8a5: '4',
          service_response_type: 'referral_from_oscar',
          referral_status_edf41f2: 'accepted_340953',
        },
        {
          unique_id: 'svc-kinship',
          service_subtype: ['family_based_care_kinship'],
          service_response_type: 'referral_from_oscar',
        },
      ],
    });
    const rows = planCaseUpsert({ child: c, existing, syncUser: SYNC_USER, today: TODAY }).write!
      .services_section!;
    expect(rows.map((r) => r.unique_id)).toEqual(['kept-4', 'svc-kinship']);
    // MoSVY's decision on the row stays: only a new row starts pending.
    expect(rows[0]).not.toHaveProperty('referral_status_edf41f2');
    expect(rowIdFor(G1, e4!)).not.toBe('kept-4');
  });
  it('an unknown OSCaR service name is an item error naming the table to fix', () => {
    const c = client({ services: [referralEntry(4, 'Referred', 'Juggling lessons')] });
    expect(() => planCaseUpsert({ child: child(c), syncUser: SYNC_USER, today: TODAY })).toThrow(
      /services.json/,
    );
  });
});

describe('f2-j2: decisions from OSCaR on referrals MoSVY sent', () => {
  const inProgress = {
    id: 'ref-1',
    status: 'in_progress',
    record_id: 'p-1',
    service_record_id: 'row-1',
  } as PrimeroReferral;
  const decided = (status: string) =>
    client({ external_id: 'case-1', services: [referralEntry(9, status)] });

  it.each([
    ['Accepted', 'accepted', 'accepted_340953'],
    ['Active', 'accepted', 'accepted_340953'],
    ['Exited', 'rejected', 'rejected_936484'],
  ])('%s: PATCH the in-progress referral to %s and mark the row', (oscar, referral, row) => {
    const plan = planCaseUpsert({
      child: child(decided(oscar)),
      existing: primeroCase({ services_section: [pendingRow] }),
      referrals: [inProgress],
      syncUser: SYNC_USER,
      today: TODAY,
    });
    expect(plan.decisions).toEqual([
      { referralId: 'ref-1', status: referral, serviceRowId: 'row-1' },
    ]);
    expect(plan.write!.services_section).toEqual([
      { unique_id: 'row-1', oscar_referral_id_a4ac8a5: '9', referral_status_edf41f2: row },
    ]);
  });
  it('a decision of another NGO does not touch the row referred to cif', () => {
    const other = client({
      external_id: 'case-1',
      organization_name: 'holt',
      services: [referralEntry(9, 'Accepted')],
    });
    expect(() =>
      planCaseUpsert({
        child: child(other),
        existing: primeroCase({ services_section: [pendingRow] }),
        referrals: [inProgress],
        syncUser: SYNC_USER,
        today: TODAY,
      }),
    ).toThrow(/matches no pending referral_to_oscar/);
  });
  it('once decided, a second run changes nothing', () => {
    const done = {
      ...pendingRow,
      oscar_referral_id_a4ac8a5: '9',
      referral_status_edf41f2: 'accepted_340953',
    };
    const plan = planCaseUpsert({
      child: child(decided('Accepted')),
      existing: primeroCase({
        oscar_number: G1,
        oscar_short_id: 'cif-7',
        mosvy_number: 'MV-1',
        oscar_status: 'Active',
        risk_level: 'no_action',
        services_section: [done],
      }),
      referrals: [{ ...inProgress, status: 'accepted' }],
      syncUser: SYNC_USER,
      today: TODAY,
    });
    expect(plan).toMatchObject({ action: 'unchanged', decisions: [] });
  });
});

describe('f2-j2: write only what changed', () => {
  it('a case already holding everything is unchanged (the same day re-read writes nothing)', () => {
    const c = child(client({ services: [referralEntry(4, 'Referred')] }));
    const created = planCaseUpsert({ child: c, syncUser: SYNC_USER, today: TODAY });
    const { id: _id, ...stored } = created.write!;
    const existing = primeroCase({
      ...stored,
      id: created.id,
      created_by: SYNC_USER,
    } as Partial<PrimeroCase>);
    expect(planCaseUpsert({ child: c, existing, syncUser: SYNC_USER, today: TODAY }).action).toBe(
      'unchanged',
    );
  });
  it('an update sends only the changed fields and the changed row fields', () => {
    const c = child(client({ status: 'Exited' }));
    const plan = planCaseUpsert({
      child: c,
      existing: primeroCase({
        oscar_number: G1,
        oscar_short_id: 'cif-7',
        mosvy_number: 'MV-1',
        oscar_status: 'Active',
        risk_level: 'no_action',
      }),
      syncUser: SYNC_USER,
      today: TODAY,
    });
    expect(plan).toMatchObject({ action: 'update', write: { oscar_status: 'Exited' } });
    expect(Object.keys(plan.write!)).toEqual(['oscar_status']);
  });
});

describe('f2-j2: one child served by two NGOs', () => {
  it('the referred record decides the owner whatever the listing order', () => {
    const a = client({ organization_name: 'cif', is_referred: false });
    const b = client({
      organization_name: 'holt',
      is_referred: true,
      location_current_village_code: '12010101',
    });
    expect(
      planCaseUpsert({ child: child(a, b), syncUser: SYNC_USER, today: TODAY }).write?.owned_by,
    ).toBe('mgrpnh');
    expect(
      planCaseUpsert({ child: child(b, a), syncUser: SYNC_USER, today: TODAY }).write?.owned_by,
    ).toBe('mgrpnh');
  });
});

describe('f2-j1 -> f2-j2: children travel packed', () => {
  it('each child is one JSON text in the state, and unpacks to the same grouped child', () => {
    const records = [
      client(),
      client({ organization_name: 'fco', slug: 'fco-3' }),
      client({ global_id: '01JAAAAAAAAAAAAAAAAAAAAAA2', slug: 'cif-8' }),
    ];
    const batch = selectClients({
      listing: { clients: records.map(listedClient), invalid: [] },
      excludedOrgs: ['demo'],
      since: '2025-03-10 00:00:00',
      carried: carried(),
      report: emptyReport(),
      now: TODAY.toISOString(),
    });
    // @openfn/runtime copies the state between steps: a string is copied as one value.
    expect(batch.children.every((packed) => typeof packed === 'string')).toBe(true);
    expect(batch.children.map(unpackChild)).toEqual(groupChildren(records));
    // Packed from each record's JSON text: the same text as packing the grouped records.
    expect(batch.children).toEqual(groupChildren(records).map(packChild));
  });
});

describe('f2-j2: children in parallel, two per request slot', () => {
  const ids = Array.from(
    { length: 10 },
    (_, i) => `01JAAAAAAAAAAAAAAAAAAAAB${String(i).padStart(2, '0')}`,
  );
  const batch = () => ({
    since: '2025-03-10 00:00:00',
    children: groupChildren(ids.map((id) => client({ global_id: id }))).map(packChild),
  });
  /**
   * A Primero that keeps at most `limit` calls on the wire, as the transport does, each taking a few
   * ms; it counts the children under way (look-up to create) and fails on `outageOn`.
   */
  function slowPort(limit: number, outageOn?: string) {
    const wire = createLimiter(limit);
    const state = { underWay: 0, maxUnderWay: 0, onWire: 0, maxOnWire: 0 };
    const started: string[] = [];
    const created: string[] = [];
    const call = <T>(answer: () => T): Promise<T> =>
      wire.run(async () => {
        state.onWire += 1;
        state.maxOnWire = Math.max(state.maxOnWire, state.onWire);
        try {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return answer();
        } finally {
          state.onWire -= 1;
        }
      });
    const port: PrimeroCases = {
      findCases: async (filter) => {
        const globalId = String(filter.oscar_number);
        started.push(globalId);
        state.underWay += 1;
        state.maxUnderWay = Math.max(state.maxUnderWay, state.underWay);
        return call(() => {
          if (globalId !== outageOn) return [];
          state.underWay -= 1;
          throw new Error('Primero answered 503');
        });
      },
      listReferrals: async () => [],
      createCase: (data) =>
        call(() => {
          created.push(String(data.oscar_number));
          state.underWay -= 1;
          return { id: String(data.id), created: true };
        }),
      updateCase: async () => undefined,
      updateReferral: async () => ({}) as PrimeroReferral,
    };
    return { port, state, started, created };
  }
  const context = (primero: PrimeroCases, concurrency: number) => ({
    primero,
    syncUser: SYNC_USER,
    dryRun: false,
    concurrency,
    report: emptyReport(),
    carried: carried(),
    now: TODAY.toISOString(),
    today: TODAY,
  });

  it.each([1, 3])(
    'concurrency %i: every child lands, with two children under way per request slot',
    async (limit) => {
      const { port, state, created } = slowPort(limit);
      await upsertChildren(batch(), context(port, limit));
      // Every slot is used, and the lanes (the children decoded at once) stay bounded.
      expect(state.maxOnWire).toBe(limit);
      expect(state.maxUnderWay).toBe(2 * limit);
      expect([...created].sort()).toEqual(ids);
    },
  );
  it('a freed slot goes to the request already waiting; the answered lane takes its next child a turn later', async () => {
    // One slot, calls answered by hand: what goes on the wire, and when a child is taken.
    const wire = createLimiter(1);
    const events: string[] = [];
    const answers: Array<() => void> = [];
    const answered = <T>(event: string, value: T) =>
      wire.run(
        () =>
          new Promise<T>((resolve) => {
            events.push(event);
            answers.push(() => resolve(value));
          }),
      );
    const port: PrimeroCases = {
      findCases: (filter) => answered(`find ${String(filter.oscar_number).slice(-2)}`, []),
      listReferrals: async () => [],
      createCase: (data) =>
        answered(`create ${String(data.oscar_number).slice(-2)}`, {
          id: String(data.id),
          created: true,
        }),
      updateCase: async () => undefined,
      updateReferral: async () => ({}) as PrimeroReferral,
    };
    const ctx = {
      ...context(port, 1),
      mayStart: () => {
        events.push('take');
        return true;
      },
    };
    // Microtasks only: no timer fires in between, so "a turn later" has not come yet.
    const settle = async () => {
      for (let i = 0; i < 200; i += 1) await Promise.resolve();
    };
    const answerNext = async () => {
      answers.shift()!();
      await settle();
    };
    const done = upsertChildren(batch(), ctx);
    await settle();
    // Two lanes took a child each; one request is on the wire, the other waits for the slot.
    expect(events).toEqual(['take', 'find 00', 'take']);
    await answerNext();
    expect(events.slice(3)).toEqual(['find 01']);
    await answerNext(); // 01's look-up: 00's create had waited for the slot
    expect(events.slice(4)).toEqual(['create 00']);
    await answerNext(); // 00 created: the slot goes to 01's create, and no lane takes a child yet
    expect(events.slice(5)).toEqual(['create 01']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // A turn later 00's lane takes 02; its look-up waits for the slot 01's create holds.
    expect(events.slice(6)).toEqual(['take']);
    await answerNext();
    expect(events.slice(7)).toEqual(['find 02']);
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      if (answers.length > 0) await answerNext();
      else await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(events.filter((event) => event.startsWith('create'))).toHaveLength(ids.length);
  });
  it('an outage stops the children not started; those under way finish before the step fails', async () => {
    const { port, state, started, created } = slowPort(3, ids[4]);
    const ctx = context(port, 3);
    await expect(upsertChildren(batch(), ctx)).rejects.toThrow(/503/);
    const createdWhenFailed = [...created];
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(created).toEqual(createdWhenFailed); // nothing lands after the step failed
    expect(state.underWay).toBe(0);
    expect(state.onWire).toBe(0);
    expect(started).not.toContain(ids[9]);
    expect(created).not.toContain(ids[4]);
    expect(created.length).toBeGreaterThanOrEqual(4);
  });
});

const failedItem = (
  key: string,
  step: FailedItem['step'],
  ids: Record<string, string> = {},
): FailedItem => ({
  key,
  step,
  kind: 'case',
  ids,
  reason: 'earlier',
  attempts: 1,
  firstFailedAt: '2025-03-01T00:00:00Z',
  lastFailedAt: '2025-03-01T00:00:00Z',
});

describe('f2-j1: the window start of an item retried (parseOscarTime, windowStartOf, pendingOscarItems)', () => {
  it('parseOscarTime reads an ISO instant or an OSCaR time as UTC and refuses anything else, naming it', () => {
    expect(parseOscarTime('2025-01-31T17:00:00+07:00', 'The start given')).toBe(
      '2025-01-31 10:00:00',
    );
    expect(parseOscarTime('2025-01-31 10:00:00', 'The start given')).toBe('2025-01-31 10:00:00');
    expect(() => parseOscarTime('last week', 'The stored OSCaR cursor')).toThrow(
      /^The stored OSCaR cursor is not a time/,
    );
  });
  it('windowStartOf keeps the earlier window an item was first seen in, never a later one', () => {
    const retries = [failedItem('f2-j2:case:G1', 'f2-j2', { oscar_since: '2025-03-01 00:00:00' })];
    const since = '2025-03-05 00:00:00';
    expect(windowStartOf('f2-j2:case:G1', retries, since)).toBe('2025-03-01 00:00:00');
    expect(windowStartOf('f2-j2:case:G2', retries, since)).toBe(since);
    expect(windowStartOf('f2-j2:case:G1', retries, '2025-02-01 00:00:00')).toBe(
      '2025-02-01 00:00:00',
    );
    const garbled = [failedItem('f2-j2:case:G1', 'f2-j2', { oscar_since: 'yesterday' })];
    expect(windowStartOf('f2-j2:case:G1', garbled, since)).toBe(since);
  });
  it('pendingOscarItems keeps only the f2 items carried for retry', () => {
    const retries = [
      failedItem('f2-j1:client:x', 'f2-j1'),
      failedItem('f1-j2:referral:case-a:s-a', 'f1-j2'),
      failedItem('f2-j2:case:G1', 'f2-j2'),
    ];
    expect(pendingOscarItems(retries).map((item) => item.key)).toEqual([
      'f2-j1:client:x',
      'f2-j2:case:G1',
    ]);
  });
});

describe('f2-j2: a window resumed after its budget (childrenAfter)', () => {
  const packed = ['G1', 'G2', 'G3'].map((id) => packChild(child(client({ global_id: id }))));
  it('childrenAfter leaves out the children done through the given global id', () => {
    const ids = (list: typeof packed) => list.map((c) => unpackChild(c).globalId);
    expect(ids(childrenAfter(packed, 'G2'))).toEqual(['G3']);
    expect(ids(childrenAfter(packed, 'G1'))).toEqual(['G2', 'G3']);
    expect(ids(childrenAfter(packed, ''))).toEqual(['G1', 'G2', 'G3']);
    expect(childrenAfter(packed, 'G3')).toEqual([]);
  });
});

describe('f2-j2: children whose services OSCaR hides (servicesHidden)', () => {
  it('servicesHidden while any record of the child has no Primero case id', () => {
    expect(servicesHidden(child(client({ external_id: 'case-1' })))).toBe(false);
    expect(servicesHidden(child(client({ external_id: ' ' })))).toBe(true);
    expect(servicesHidden(child(client()))).toBe(true);
    const twoNgos = child(
      client({ external_id: 'case-1' }),
      client({ organization_name: 'holt', slug: 'holt-2', external_id: null }),
    );
    expect(servicesHidden(twoNgos)).toBe(true);
  });
});

describe('f2-j2: find the Primero case, rule by rule (lookupOf, chooseCase, caseOriginatedInPrimero)', () => {
  it('lookupOf looks up by the first Primero case id a record holds, else by global id alone', () => {
    const twoNgos = child(
      client({ external_id: ' ' }),
      client({ organization_name: 'holt', slug: 'holt-2', external_id: 'case-9' }),
    );
    expect(lookupOf(twoNgos)).toEqual({ oscarNumber: G1, caseId: 'case-9' });
    expect(lookupOf(child(client()))).toEqual({ oscarNumber: G1 });
  });
  it('chooseCase takes the one match, none as a new case, and refuses two naming their ids', () => {
    const one = primeroCase();
    expect(chooseCase([], 'oscar_number G1')).toBeUndefined();
    expect(chooseCase([one], 'oscar_number G1')).toBe(one);
    const two = () => chooseCase([one, primeroCase({ id: 'p-2' })], 'oscar_number G1');
    expect(two).toThrow(ItemError);
    expect(two).toThrow(/2 Primero cases have oscar_number G1 \(ids p-1, p-2\)/);
  });
  it('caseOriginatedInPrimero: created by another user, or unknown creator with a referral to OSCaR', () => {
    expect(caseOriginatedInPrimero(undefined, SYNC_USER)).toBe(false);
    expect(caseOriginatedInPrimero(primeroCase(), SYNC_USER)).toBe(true);
    expect(caseOriginatedInPrimero(primeroCase({ created_by: SYNC_USER }), SYNC_USER)).toBe(false);
    const referred = { service_response_type: 'referral_to_oscar', unique_id: 'row-1' };
    expect(
      caseOriginatedInPrimero(
        primeroCase({ created_by: undefined, services_section: [referred] }),
        SYNC_USER,
      ),
    ).toBe(true);
    expect(caseOriginatedInPrimero(primeroCase({ created_by: undefined }), SYNC_USER)).toBe(false);
  });
});

describe('f2-j2: the case fields, rule by rule (ownerFor, alwaysFields, newCaseFields)', () => {
  it("ownerFor: a referred child's province manager, else its NGO's agency user", () => {
    expect(ownerFor(child(client({ is_referred: true })))).toBe('mgrstg');
    expect(ownerFor(child(client()))).toBe('agency-cif-user');
  });
  it('alwaysFields never blanks a Primero value with an empty OSCaR one', () => {
    expect(alwaysFields(child(client({ slug: ' ', mosvy_number: '', status: '' })))).toEqual({
      oscar_number: G1,
      risk_level: 'no_action',
    });
    expect(alwaysFields(child(client()))).toMatchObject({ oscar_short_id: 'cif-7' });
  });
  it('newCaseFields marks a referred child as an OSCaR referral, and no one else', () => {
    expect(newCaseFields(child(client({ is_referred: true })), TODAY)).toMatchObject({
      protection_status: 'oscar_referral',
      interview_subject: 'other',
      module_id: 'primeromodule-cp',
    });
    const own = newCaseFields(child(client({ date_of_birth: '' })), TODAY);
    expect(own).not.toHaveProperty('protection_status');
    expect(own).not.toHaveProperty('date_of_birth');
    expect(own).not.toHaveProperty('age');
  });
});

describe('f2-j2: service rows, rule by rule (needsReferrals, planServiceRows)', () => {
  it("needsReferrals only when a decided OSCaR referral may answer one of MoSVY's rows", () => {
    const accepted = child(client({ services: [referralEntry(9, 'Accepted')] }));
    const referred = child(client({ services: [referralEntry(9, 'Referred')] }));
    expect(needsReferrals(accepted, [pendingRow])).toBe(true);
    expect(needsReferrals(referred, [pendingRow])).toBe(false);
    expect(
      needsReferrals(accepted, [{ ...pendingRow, service_response_type: 'referral_from_oscar' }]),
    ).toBe(false);
  });
  it('planServiceRows: a referral from OSCaR becomes a pending row of its own id; a decision nobody asked for is refused', () => {
    const referred = child(client({ services: [referralEntry(9, 'Referred')] }));
    const plan = planServiceRows({
      child: referred,
      existingRows: [],
      referrals: [],
      caseFromPrimero: false,
    });
    expect(plan.decisions).toEqual([]);
    expect(plan.rows).toEqual([
      expect.objectContaining({
        unique_id: rowIdFor(G1, serviceEntriesOf(referred)[0]!),
        service_response_type: 'referral_from_oscar',
        oscar_referral_id_a4ac8a5: '9',
        referral_status_edf41f2: 'pending_310366',
      }),
    ]);
    expect(() =>
      planServiceRows({
        child: child(client({ services: [referralEntry(9, 'Accepted')] })),
        existingRows: [],
        referrals: [],
        caseFromPrimero: true,
        caseId: 'case-1',
      }),
    ).toThrow(/matches no pending referral_to_oscar service row of Primero case case-1/);
  });
});

describe('f2-j2: a child listed again unchanged costs nothing (fingerprintOf, appliedMemory)', () => {
  it('fingerprintOf changes with what the mapping reads, not with what it ignores', () => {
    const print = fingerprintOf(child(client()), SYNC_USER, TODAY);
    expect(print).toMatch(/^[0-9a-f-]{36}$/);
    expect(fingerprintOf(child(client()), SYNC_USER, TODAY)).toBe(print);
    expect(fingerprintOf(child(client({ case_worker_name: 'Worker B' })), SYNC_USER, TODAY)).toBe(
      print,
    );
    expect(fingerprintOf(child(client({ status: 'Exited' })), SYNC_USER, TODAY)).not.toBe(print);
    expect(fingerprintOf(child(client({ date_of_birth: '2014-02-30' })), SYNC_USER, TODAY)).toBe(
      undefined,
    );
  });
  it('batchPrints fingerprints only the children f2 holds a print for; the rest cannot be unchanged', async () => {
    const store = memoryStateStore();
    const held = child(client());
    const fresh = child(client({ global_id: '01JAAAAAAAAAAAAAAAAAAAAAA2', slug: 'cif-8' }));
    const print = fingerprintOf(held, SYNC_USER, TODAY);
    await (await appliedMemory(store, [G1], { dryRun: false, reapply: false })).remember(G1, print);
    const batch = { since: '2025-03-10 00:00:00', children: [held, fresh].map(packChild) };
    const ctx = {
      applied: { store, reapply: false },
      dryRun: false,
      syncUser: SYNC_USER,
      today: TODAY,
    };
    const known = await batchPrints(batch, ctx);
    expect(known.globalIds).toEqual([G1, fresh.globalId]);
    // The fresh child's print is made in its lane, not before the batch's first request.
    expect(known.prints).toEqual([print, undefined]);
    expect(known.unchanged).toEqual([true, false]);
    expect(known.lookups.map((lookup) => lookup.oscarNumber)).toEqual([G1, fresh.globalId]);
  });

  it("packedGlobalId reads the id from the head of either packer's text, else decodes it", () => {
    const one = child(client());
    expect(packedGlobalId(packChild(one))).toBe(G1);
    expect(packedGlobalId(packListed([listedClient(client())])[0]!)).toBe(G1);
    const reordered = JSON.stringify({ records: one.records, globalId: G1 }) as PackedChild;
    expect(packedGlobalId(reordered)).toBe(G1);
  });

  it('appliedMemory writes the prints remembered together in one store write', async () => {
    const store = memoryStateStore();
    const sets: number[] = [];
    const set = store.set.bind(store);
    store.set = async (items) => {
      sets.push(items.length);
      return set(items);
    };
    const memory = await appliedMemory(store, [], { dryRun: false, reapply: false });
    await Promise.all(['G1', 'G2', 'G3'].map((id, n) => memory.remember(id, `print-${n}`)));
    await memory.remember('G4', 'print-4');
    expect(sets).toEqual([3, 1]);
    const failing = await appliedMemory(
      { ...store, set: async () => Promise.reject(new Error('store unavailable')) },
      [],
      { dryRun: false, reapply: false },
    );
    const outcomes = await Promise.allSettled(['G5', 'G6'].map((id) => failing.remember(id, 'p')));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    // What the store did not take is not taken as held.
    expect(failing.unchanged('G5', 'p')).toBe(false);
  });

  it('appliedMemory keeps what a run applied for the next run, unless dry, and forgets a failure', async () => {
    const store = memoryStateStore();
    const options = { dryRun: false, reapply: false };
    const first = await appliedMemory(store, [G1], options);
    expect(first.unchanged(G1, 'print-1')).toBe(false);
    await first.remember(G1, 'print-1', 'case-1');
    const next = await appliedMemory(store, [G1], options);
    expect(next.unchanged(G1, 'print-1')).toBe(true);
    expect(next.unchanged(G1, 'print-2')).toBe(false);
    expect(next.caseId(G1)).toBe('case-1');
    const backfill = await appliedMemory(store, [G1], { dryRun: false, reapply: true });
    expect(backfill.unchanged(G1, 'print-1')).toBe(false);
    const dry = await appliedMemory(store, ['G2'], { dryRun: true, reapply: false });
    await dry.remember('G2', 'print-9');
    expect(store.items.has('applied:f2:G2')).toBe(false);
    await next.forget(G1);
    expect((await appliedMemory(store, [G1], options)).unchanged(G1, 'print-1')).toBe(false);
  });
});
