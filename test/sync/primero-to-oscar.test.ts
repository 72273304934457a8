// The f1 decisions as pure functions (behaviour.md "f1-j1" and "f1-j2").
import { describe, expect, it } from 'vitest';
import { parsePrimeroCase, parsePrimeroReferral } from '../../src/model/primero.ts';
import { pruneSent, selectForOscar, toOscarReferral } from '../../src/sync/primero-to-oscar.ts';

const record = (extra: Record<string, unknown> = {}) =>
  parsePrimeroCase({
    id: 'uuid-1',
    case_id: 'case-1',
    last_updated_at: '2025-03-02T00:00:00Z',
    risk_level: 'no_action',
    location_current: '2020202',
    services_section: [
      {
        unique_id: 's1',
        service_response_type: 'referral_to_oscar',
        service_implementing_agency: 'agency-cif',
        service_subtype: ['counselling_trauma'],
      },
      {
        unique_id: 's2',
        service_response_type: 'referral_to_oscar',
        service_implementing_agency: 'agency-holt',
      },
    ],
    ...extra,
  });
const referral = (
  id: string,
  service: string,
  created_at = '2025-03-02T00:00:00Z',
  status = 'in_progress',
) =>
  parsePrimeroReferral({
    id,
    record_id: 'uuid-1',
    status,
    service_record_id: service,
    notes: `notes ${id}`,
    created_at,
  });
const rules = {
  windowStart: '2025-03-01T00:00:00Z',
  retryKeys: new Set<string>(),
  sent: new Map(),
};

describe('referrals to OSCaR', () => {
  it('selects in-progress referrals of referral_to_oscar rows created in the window, not sent before', () => {
    const refs = [
      referral('r1', 's1'),
      referral('r2', 's2', '2025-02-01T00:00:00Z'),
      referral('r3', 's1', undefined, 'accepted'),
    ];
    const batch = selectForOscar([record()], new Map([['uuid-1', refs]]), rules);
    expect(batch.referrals.map((item) => item.referral.id)).toEqual(['r1']);
    const retried = selectForOscar([record()], new Map([['uuid-1', refs]]), {
      ...rules,
      retryKeys: new Set(['f1-j2:referral:case-1:s2']),
    });
    expect(retried.referrals.map((item) => item.referral.id)).toEqual(['r1', 'r2']);
    const sent = new Map([
      ['referral:r1', { key: 'referral:r1', value: 's1', at: '2025-03-02T00:00:00Z' }],
    ]);
    expect(
      selectForOscar([record()], new Map([['uuid-1', refs]]), { ...rules, sent }).referrals,
    ).toEqual([]);
  });

  it('builds the upsert from the referred row and the referral being sent', () => {
    const [item] = selectForOscar(
      [record({ oscar_number: 'G1' })],
      new Map([['uuid-1', [referral('r1', 's1')]]]),
      rules,
    ).referrals;
    expect(toOscarReferral(item!)).toMatchObject({
      organization_name: 'cif',
      global_id: 'G1',
      level_of_risk: 'no action',
      reason_for_referral: 'notes r1',
      location_current_village_code: '02020202',
      external_case_worker_mobile: '000000000',
      services: [{ uuid: 's1', name: 'Trauma counselling' }],
    });
  });

  it('sends Not Specified without a subtype and refuses a missing risk level', () => {
    const [item] = selectForOscar(
      [record()],
      new Map([['uuid-1', [referral('r2', 's2')]]]),
      rules,
    ).referrals;
    expect(toOscarReferral(item!).services).toEqual([{ uuid: 's2', name: 'Not Specified' }]);
    expect(() => toOscarReferral({ ...item!, case: record({ risk_level: null }) })).toThrow(
      'risk level is not set in Primero',
    );
  });
});

describe('decisions and links', () => {
  it('selects decided referral_from_oscar rows with a numeric OSCaR id, and links for known children', () => {
    const decided = record({
      oscar_number: 'G1',
      services_section: [
        {
          unique_id: 'd1',
          service_response_type: 'referral_from_oscar',
          referral_status_edf41f2: 'rejected_936484',
          oscar_referral_id_a4ac8a5: '12',
        },
        {
          unique_id: 'd2',
          service_response_type: 'referral_from_oscar',
          referral_status_edf41f2: 'pending_310366',
          oscar_referral_id_a4ac8a5: '13',
        },
      ],
    });
    const batch = selectForOscar([decided], new Map(), rules);
    expect(batch.decisions.map((d) => [d.ids.oscar_referral_id, d.rowStatus])).toEqual([
      ['12', 'rejected_936484'],
    ]);
    expect(batch.links.map((l) => l.link)).toEqual([
      { global_id: 'G1', external_id: 'case-1', external_id_display: '' },
    ]);
  });
});

describe('sent ledger', () => {
  it('drops records of referrals no longer in progress and expired ones', () => {
    const now = new Date('2025-06-01T00:00:00Z');
    const sent = [
      { key: 'referral:a', value: 's', at: '2025-05-01T00:00:00Z' },
      { key: 'referral:b', value: 's', at: '2025-05-01T00:00:00Z' },
      { key: 'link:G', value: 'c', at: '2023-01-01T00:00:00Z' },
    ];
    expect(pruneSent(sent, new Set(['b']), now).map((r) => r.key)).toEqual(['referral:a']);
  });
});
