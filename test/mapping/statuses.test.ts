import { describe, expect, it } from 'vitest';
import {
  MappingError,
  OSCAR_REFERRAL_STATUSES,
  SERVICE_ROW_STATUSES,
  isDecidedOscarStatus,
  isDecidedServiceRowStatus,
  isServiceRowStatus,
  oscarStatusForServiceRow,
  primeroReferralStatusForServiceRow,
  serviceRowStatusForOscar,
  type ServiceRowStatus,
} from '../../src/mapping/index.ts';

describe('status: Primero service row -> OSCaR referral (decisions sent by f1-j2)', () => {
  it.each([
    ['accepted_340953', 'Accepted'],
    ['rejected_936484', 'Exited'],
    ['pending_310366', 'Referred'],
  ] as const)('%s -> %s', (row, oscar) => {
    expect(oscarStatusForServiceRow(row)).toBe(oscar);
  });
});

describe('status: OSCaR referral -> Primero service row (decisions read by f2-j2)', () => {
  it.each([
    ['Accepted', 'accepted_340953'],
    ['Active', 'accepted_340953'],
    ['Exited', 'rejected_936484'],
    ['Referred', 'pending_310366'],
  ])('%s -> %s', (oscar, row) => {
    expect(serviceRowStatusForOscar(oscar)).toBe(row);
  });

  // OSCaR's Referral model refuses any other value (docs/spec/apis.md §2), `Rejected` included,
  // though the original jobs read it as a rejection.
  it.each(['', 'accepted', 'Accetped', 'Closed', 'Rejected'])(
    'reports unknown status %j',
    (status) => {
      expect(() => serviceRowStatusForOscar(status)).toThrow(MappingError);
      expect(() => serviceRowStatusForOscar(status)).toThrow(
        /is not one of Referred, Accepted, Active, Exited/,
      );
    },
  );
});

describe('status: Primero service row -> Primero referral', () => {
  it.each([
    ['accepted_340953', 'accepted'],
    ['rejected_936484', 'rejected'],
    ['pending_310366', 'in_progress'],
  ] as const)('%s -> %s', (row, referral) => {
    expect(primeroReferralStatusForServiceRow(row)).toBe(referral);
  });

  it('reports a row status outside the three known ones', () => {
    expect(() => primeroReferralStatusForServiceRow('open' as ServiceRowStatus)).toThrow(
      MappingError,
    );
    expect(() => oscarStatusForServiceRow('open' as ServiceRowStatus)).toThrow(MappingError);
  });
});

describe('status: which row statuses are decisions', () => {
  it('knows the three row statuses', () => {
    expect([...SERVICE_ROW_STATUSES].sort()).toEqual([
      'accepted_340953',
      'pending_310366',
      'rejected_936484',
    ]);
    expect(isServiceRowStatus('pending_310366')).toBe(true);
    expect(isServiceRowStatus('accepted')).toBe(false);
    expect(isServiceRowStatus(undefined)).toBe(false);
  });

  it('an OSCaR status is a decision exactly when its row status is one', () => {
    for (const status of OSCAR_REFERRAL_STATUSES) {
      expect(isDecidedOscarStatus(status), status).toBe(
        isDecidedServiceRowStatus(serviceRowStatusForOscar(status)),
      );
    }
    expect(OSCAR_REFERRAL_STATUSES.filter(isDecidedOscarStatus)).toEqual([
      'Accepted',
      'Active',
      'Exited',
    ]);
    expect(isDecidedOscarStatus(' Exited ')).toBe(true);
    expect(isDecidedOscarStatus('Rejected')).toBe(false);
    expect(isDecidedOscarStatus(null)).toBe(false);
  });

  it('treats accepted and rejected as decisions, pending and anything else as not', () => {
    expect(isDecidedServiceRowStatus('accepted_340953')).toBe(true);
    expect(isDecidedServiceRowStatus('rejected_936484')).toBe(true);
    expect(isDecidedServiceRowStatus('pending_310366')).toBe(false);
    expect(isDecidedServiceRowStatus(null)).toBe(false);
    expect(isDecidedServiceRowStatus('')).toBe(false);
  });
});
