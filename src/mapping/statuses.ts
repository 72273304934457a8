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
export type OscarReferralStatus = 'Referred' | 'Accepted' | 'Active' | 'Exited';
export type PrimeroReferralStatus = 'in_progress' | 'accepted' | 'rejected';

interface StatusRow {
  serviceRow: ServiceRowStatus;
  /** What we send to OSCaR for this row status. */
  oscar: OscarReferralStatus;
  /** Further OSCaR statuses that mean the same decision when they come back. OSCaR's
   * `Active` is an accepted child being served; `Rejected` is not an OSCaR status today, but the
   * original jobs read it as a rejection, so an old or hand-edited value still means one. */
  oscarAlsoMeans: readonly string[];
  primeroReferral: PrimeroReferralStatus;
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
    oscarAlsoMeans: ['Rejected'],
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
  return isServiceRowStatus(value) && rowFor(value).primeroReferral !== 'in_progress';
}

/** `accepted_340953` -> `Accepted`, `rejected_936484` -> `Exited`, `pending_310366` -> `Referred`. */
export function oscarStatusForServiceRow(row: ServiceRowStatus): OscarReferralStatus {
  return rowFor(row).oscar;
}

/** OSCaR `Accepted`/`Active` -> `accepted_340953`, `Exited` -> `rejected_936484`,
 * `Referred` -> `pending_310366`; throws MappingError for anything else. */
export function serviceRowStatusForOscar(status: OscarReferralStatus | string): ServiceRowStatus {
  const name = status.trim();
  const row = STATUS_ROWS.find((r) => r.oscar === name || r.oscarAlsoMeans.includes(name));
  if (row === undefined) {
    throw new MappingError(
      `OSCaR referral status ${JSON.stringify(name)} is not one of ` +
        `${STATUS_ROWS.flatMap((r) => [r.oscar, ...r.oscarAlsoMeans]).join(', ')}`,
    );
  }
  return row.serviceRow;
}

/** The Primero referral status for a row status: accepted/rejected, or in_progress while pending. */
export function primeroReferralStatusForServiceRow(row: ServiceRowStatus): PrimeroReferralStatus {
  return rowFor(row).primeroReferral;
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
