// Referral statuses across the three places they live: the Primero service row
// (`referral_status_edf41f2`), the OSCaR referral, and the Primero referral record.
import { MappingError } from './errors.ts';

/** Primero's lookup values of a service row's `referral_status_edf41f2`, declared once here. */
export const SERVICE_ROW_STATUS = {
  pending: 'pending_310366',
  accepted: 'accepted_340953',
  rejected: 'rejected_936484',
} as const;
export type ServiceRowStatus = (typeof SERVICE_ROW_STATUS)[keyof typeof SERVICE_ROW_STATUS];

/**
 * The statuses an OSCaR referral can have: OSCaR's Referral model validates `referral_status`
 * against exactly these (docs/spec/apis.md §2, "Referral validation"), so no other value is
 * ever listed. `Rejected` is not one: an NGO that declines a child exits it.
 */
export const OSCAR_REFERRAL_STATUSES = ['Accepted', 'Active', 'Exited', 'Referred'] as const;
export type OscarReferralStatus = (typeof OSCAR_REFERRAL_STATUSES)[number];

/** A Primero referral's statuses (`Referral#process!`, docs/spec/apis.md §1). */
export const PRIMERO_REFERRAL_STATUSES = [
  'in_progress',
  'accepted',
  'rejected',
  'done',
  'revoked',
] as const;
export type PrimeroReferralStatus = (typeof PRIMERO_REFERRAL_STATUSES)[number];

/** The Primero referral statuses a service row's status stands for: waiting, or decided. */
export type ReferralDecisionStatus = Extract<
  PrimeroReferralStatus,
  'in_progress' | 'accepted' | 'rejected'
>;

/** A Primero referral still waiting for a decision: the only status a decision may change. */
export const REFERRAL_IN_PROGRESS = 'in_progress' satisfies PrimeroReferralStatus;

interface StatusRow {
  serviceRow: ServiceRowStatus;
  /** What we send to OSCaR for this row status. */
  oscar: OscarReferralStatus;
  /** Further OSCaR statuses that mean the same decision when they come back: OSCaR's `Active`
   * is an accepted child being served. (The original jobs also read `Rejected` as a rejection;
   * OSCaR refuses to store it, so it never comes back.) */
  oscarAlsoMeans: readonly OscarReferralStatus[];
  primeroReferral: ReferralDecisionStatus;
}

const STATUS_ROWS: readonly StatusRow[] = [
  {
    serviceRow: SERVICE_ROW_STATUS.pending,
    oscar: 'Referred',
    oscarAlsoMeans: [],
    primeroReferral: 'in_progress',
  },
  {
    serviceRow: SERVICE_ROW_STATUS.accepted,
    oscar: 'Accepted',
    oscarAlsoMeans: ['Active'],
    primeroReferral: 'accepted',
  },
  {
    serviceRow: SERVICE_ROW_STATUS.rejected,
    oscar: 'Exited',
    oscarAlsoMeans: [],
    primeroReferral: 'rejected',
  },
];

export const SERVICE_ROW_STATUSES: readonly ServiceRowStatus[] = STATUS_ROWS.map(
  (row) => row.serviceRow,
);

export function isServiceRowStatus(value: unknown): value is ServiceRowStatus {
  return typeof value === 'string' && (SERVICE_ROW_STATUSES as readonly string[]).includes(value);
}

/** A service row that carries a decision (accepted or rejected) rather than a pending referral. */
export function isDecidedServiceRowStatus(value: unknown): value is ServiceRowStatus {
  return isServiceRowStatus(value) && rowFor(value).primeroReferral !== REFERRAL_IN_PROGRESS;
}

/** An OSCaR referral status that carries the NGO's decision (`Accepted`, `Active`, `Exited`);
 * false for `Referred` and for anything that is no OSCaR status. */
export function isDecidedOscarStatus(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const row = rowForOscar(value);
  return row !== undefined && row.primeroReferral !== REFERRAL_IN_PROGRESS;
}

/** `accepted_340953` -> `Accepted`, `rejected_936484` -> `Exited`, `pending_310366` -> `Referred`. */
export function oscarStatusForServiceRow(row: ServiceRowStatus): OscarReferralStatus {
  return rowFor(row).oscar;
}

/** OSCaR `Accepted`/`Active` -> `accepted_340953`, `Exited` -> `rejected_936484`,
 * `Referred` -> `pending_310366`; throws MappingError for anything else. */
export function serviceRowStatusForOscar(status: OscarReferralStatus | string): ServiceRowStatus {
  const name = status.trim();
  const row = rowForOscar(name);
  if (row === undefined) {
    throw new MappingError(
      `OSCaR referral status ${JSON.stringify(name)} is not one of ` +
        `${STATUS_ROWS.flatMap((r) => [r.oscar, ...r.oscarAlsoMeans]).join(', ')}`,
    );
  }
  return row.serviceRow;
}

/** The Primero referral status for a row status: accepted/rejected, or in_progress while pending. */
export function primeroReferralStatusForServiceRow(row: ServiceRowStatus): ReferralDecisionStatus {
  return rowFor(row).primeroReferral;
}

function rowForOscar(status: string): StatusRow | undefined {
  const name = status.trim();
  return STATUS_ROWS.find(
    (r) => r.oscar === name || (r.oscarAlsoMeans as readonly string[]).includes(name),
  );
}

function rowFor(status: ServiceRowStatus): StatusRow {
  const row = STATUS_ROWS.find((r) => r.serviceRow === status);
  if (row === undefined) {
    throw new MappingError(
      `Primero service row status ${JSON.stringify(status)} is not one of ${SERVICE_ROW_STATUSES.join(', ')}`,
    );
  }
  return row;
}
