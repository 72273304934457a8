// Small rules of the OSCaR emulator, as pure functions: since_date parsing, address codes, and the
// one permitted-keys declaration that both the emulator and the client use.
import { describe, expect, it } from 'vitest';
import { UnparseableTimeError, parseSinceDate } from '../../demo/oscar/list-clients.ts';
import { addressByCode } from '../../demo/oscar/upsert.ts';
import { OSCAR_UPSERT_FIELDS, pickPermittedUpsertFields } from '../../src/model/oscar.ts';

describe('since_date is read like Ruby Time.parse, server zone = UTC', () => {
  it('reads the formats the jobs send', () => {
    expect(parseSinceDate('2022-12-19 00:00:00')).toEqual({
      instantMs: Date.UTC(2022, 11, 19),
      date: '2022-12-19',
    });
    expect(parseSinceDate('2022-12-19')).toEqual({
      instantMs: Date.UTC(2022, 11, 19),
      date: '2022-12-19',
    });
    expect(parseSinceDate('2022-12-19T10:30:00Z').instantMs).toBe(Date.UTC(2022, 11, 19, 10, 30));
  });

  it('honours an explicit offset for the instant but keeps the written date for the DATE() compare', () => {
    const parsed = parseSinceDate('2022-12-19T01:00:00+07:00');
    expect(parsed.instantMs).toBe(Date.UTC(2022, 11, 18, 18));
    expect(parsed.date).toBe('2022-12-19');
  });

  it('refuses what Time.parse would not read (OSCaR answers 500)', () => {
    expect(() => parseSinceDate('last week')).toThrow(UnparseableTimeError);
  });
});

describe('address codes are resolved by length (Client.get_address_by_code)', () => {
  it('left-pads a 7-digit village code to 8 and derives the parents', () => {
    expect(addressByCode('2010203')).toEqual({
      province_code: '02',
      district_code: '0201',
      commune_code: '020102',
      village_code: '02010203',
    });
  });

  it('stops at the level the length gives', () => {
    expect(addressByCode('1201')).toEqual({
      province_code: '12',
      district_code: '1201',
      commune_code: null,
      village_code: null,
    });
    expect(addressByCode('5').province_code).toBe('05');
  });
});

describe('permitted upsert keys: one declaration', () => {
  it('drops keys OSCaR does not permit, top level and per service', () => {
    const picked = pickPermittedUpsertFields({
      organization_name: 'cif',
      resource: 'Primero',
      date_of_referral: '2024-01-01',
      transaction_id: 'tx',
      services: [{ uuid: 'u', name: 'n', referral_status: 'Referred', referral_id: 3 }],
    });
    expect(picked).toEqual({ organization_name: 'cif', services: [{ uuid: 'u', name: 'n' }] });
  });

  it('lists exactly the strong-params keys of docs/spec/apis.md §2.3', () => {
    // Written out from the spec, group by group, independently of src/model/oscar.ts.
    const permitted = [
      ...['global_id', 'external_id', 'external_id_display', 'mosvy_number', 'given_name'],
      ...['family_name', 'gender', 'date_of_birth'],
      ...['location_current_village_code', 'address_current_village_code'],
      ...['reason_for_referral', 'reason_for_exiting'],
      ...['organization_id', 'organization_name', 'external_case_worker_name'],
      ...['external_case_worker_id', 'external_case_worker_mobile', 'external_case_worker_email'],
      ...['level_of_risk', 'is_referred', 'referral_status'],
      'services',
    ];
    expect([...OSCAR_UPSERT_FIELDS].sort()).toEqual(permitted.sort());
  });
});
