// The rules for children OSCaR already knows and for overdue referrals, as pure functions
// (docs/sync-rules.md, "Children OSCaR already knows", "Overdue referrals"). Invented data.
import { describe, expect, it } from 'vitest';
import { MappingError } from '../../src/mapping/index.ts';
import type { OscarUpsertPayload } from '../../src/model/oscar.ts';
import {
  decisionOfKnownChild,
  referralOfKnownChild,
} from '../../src/sync/primero-to-oscar/known-child.ts';
import { holdersFromListing } from '../../src/sync/primero-to-oscar/oscar-holders.ts';
import { overdueReferrals } from '../../src/sync/primero-to-oscar/awaiting-decision.ts';

const payload: OscarUpsertPayload = {
  organization_name: 'cif',
  external_id: 'case-1',
  given_name: 'From',
  family_name: 'Primero',
  gender: 'male',
  date_of_birth: '2015-05-05',
  external_case_worker_name: 'mosvy.worker',
  is_referred: true,
};

const listed = (org: string, extra: Record<string, unknown> = {}) => ({
  global_id: 'G-1',
  organization_name: org,
  given_name: 'In',
  family_name: 'Oscar',
  gender: 'female',
  date_of_birth: '2014-04-04',
  mosvy_number: '',
  location_current_village_code: '12010101',
  ...extra,
});

const holders = (...records: Array<Record<string, unknown>>) =>
  holdersFromListing({ clients: records as never, invalid: [] }, ['G-1'])['G-1'];

describe('a referral of a child OSCaR knows', () => {
  it('fails when no NGO lists the child, or only others do', () => {
    expect(() => referralOfKnownChild(payload, 'G-1', [])).toThrow(/no NGO lists the child/);
    expect(() => referralOfKnownChild(payload, 'G-1', holders(listed('kmr')))).toThrow(
      new MappingError(
        'OSCaR cannot refer G-1 to cif: only kmr holds the child; refer by hand in OSCaR',
      ),
    );
  });

  it("carries OSCaR's values for what the update resets; the case worker from Part A when listed", () => {
    const partA = listed('cif', {
      external_case_worker_name: 'oscar.side',
      external_case_worker_id: '7',
    });
    const { payload: sent } = referralOfKnownChild(payload, 'G-1', holders(partA));
    expect(sent).toMatchObject({
      global_id: 'G-1',
      given_name: 'In',
      family_name: 'Oscar',
      gender: 'female',
      date_of_birth: '2014-04-04',
      address_current_village_code: '12010101',
      external_case_worker_name: 'oscar.side',
      external_case_worker_id: '7',
      is_referred: true,
    });
    const partB = referralOfKnownChild(payload, 'G-1', holders(listed('cif'))).payload;
    expect(partB.external_case_worker_name).toBe('mosvy.worker');
  });

  it('goes to several holders only when they agree, else fails naming them', () => {
    expect(
      referralOfKnownChild(payload, 'G-1', holders(listed('kmr'), listed('cif'))).updated,
    ).toBe('kmr, cif');
    expect(() =>
      referralOfKnownChild(
        payload,
        'G-1',
        holders(listed('kmr'), listed('cif', { family_name: 'Other' })),
      ),
    ).toThrow(/kmr, cif hold different details/);
  });
});

describe('a decision for a child OSCaR knows', () => {
  const decision = {
    key: 'f1-j2:decision:case-1:row-1',
    ids: {
      case_id: 'case-1',
      primero_id: 'p-1',
      service_id: 'row-1',
      oscar_referral_id: '3',
      global_id: 'G-1',
    },
    sentKey: 'decision:G-1:3',
    rowStatus: 'accepted_340953' as const,
  };
  const update = { client_global_id: 'G-1', referral_id: 3, referral_status: 'Accepted' as const };

  it('is sent when one NGO holds the child, and fails naming several', () => {
    expect(decisionOfKnownChild(decision, update, holders(listed('kmr')))).toEqual(update);
    expect(() =>
      decisionOfKnownChild(decision, update, holders(listed('kmr'), listed('cif'))),
    ).toThrow(/which referral 3 of G-1 is meant: kmr, cif all hold the child/);
  });
});

describe('overdue referrals', () => {
  it('are the awaiting records older than the allowed days, ids only, longest first', () => {
    const now = new Date('2025-04-01T00:00:00Z');
    const sent = [
      { key: 'awaiting:r1', value: 'p1 case-1 cif', at: '2025-03-20T00:00:00Z' },
      { key: 'awaiting:r2', value: 'p2 case-2 kmr', at: '2025-03-01T00:00:00Z' },
      { key: 'awaiting:r3', value: 'p3 case-3 cif', at: '2025-03-18T00:00:00Z' },
      { key: 'referral:r2', value: 'row', at: '2025-03-01T00:00:00Z' },
    ];
    expect(overdueReferrals(sent, now, 14)).toEqual([
      {
        key: 'f1-j2:overdue:case-2:r2',
        ids: { case_id: 'case-2', primero_id: 'p2', referral_id: 'r2' },
        organisation: 'kmr',
        sentAt: '2025-03-01T00:00:00Z',
        daysWaiting: 31,
      },
    ]);
  });
});
