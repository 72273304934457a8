// services_section rows from OSCaR's service entries: one row per entry, each keeping its identity
// across runs, and the decisions OSCaR made on referrals MoSVY sent (behaviour.md, f2-j2).
import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import {
  REFERRAL_IN_PROGRESS,
  agencyForOrg,
  isDecidedOscarStatus,
  isDecidedServiceRowStatus,
  primeroReferralStatusForServiceRow,
  primeroServiceFor,
  serviceRowStatusForOscar,
} from '../../mapping/index.ts';
import type { OscarClientRecord, OscarService } from '../../model/oscar.ts';
import { SERVICE_REFERRAL_STATUSES, SERVICE_RESPONSE_TYPES } from '../../model/primero.ts';
import type { PrimeroReferral, ServiceRow, ServiceRowWrite } from '../../model/primero.ts';
import type { OscarChild } from './children.ts';
import { ItemError } from './item-error.ts';

/** Namespace of the name-based ids this project gives service rows (never change it: rows would
 * lose their identity and be duplicated). */
export const SERVICE_ROW_NAMESPACE = '9b2c89fe-e537-46de-933f-b597e1482d5f';

const NAMESPACE_BYTES = parseUuid(SERVICE_ROW_NAMESPACE);

/**
 * The name-based UUID (v5) of `name` in this project's namespace: the id uuid's v5 gives the name.
 * It is handed the name's UTF-8 bytes and the namespace parsed once, which spares uuid copying the
 * name one character at a time and parsing the namespace on every call (f2-j2 makes several per
 * child, one of them of the whole payload). A name with a lone surrogate goes to uuid as it is, so
 * it fails there as it always did, instead of hashing a replacement character. (Buffer, not
 * TextEncoder: OpenFn.org's job sandbox provides the one and not the other.)
 */
export function nameUuid(name: string): string {
  const wellFormed = (name as { isWellFormed?: () => boolean }).isWellFormed?.() === true;
  return uuidv5(wellFormed ? Buffer.from(name, 'utf8') : name, NAMESPACE_BYTES);
}

/** One entry of a client's `services`, with the record (and so the NGO) it came from. */
export interface ServiceEntry {
  org: string;
  record: OscarClientRecord;
  service: OscarService;
}

export interface ReferralDecision {
  /** Primero referral id. */
  referralId: string;
  status: 'accepted' | 'rejected';
  /** The service row (unique_id) the referral is about. */
  serviceRowId: string;
}

export interface ServiceRowsPlan {
  /** Every row this child's entries should have, with the fields the sync sets (diffed later). */
  rows: ServiceRowWrite[];
  decisions: ReferralDecision[];
}

const isReferralEntry = (entry: ServiceEntry) =>
  entry.service.referral_id !== null && entry.service.referral_id !== undefined;
const isDecided = (entry: ServiceEntry) =>
  isReferralEntry(entry) && isDecidedOscarStatus(entry.service.referral_status);

/**
 * The row id this project gives an entry: a name-based UUID of OSCaR identities that do not change
 * (child, NGO, referral id or program, catalogue service), so a retry or a re-read of the same day
 * finds the row instead of adding a twin. OSCaR referral ids are per NGO, hence the NGO in it.
 */
export function rowIdFor(globalId: string, entry: ServiceEntry): string {
  const { service } = entry;
  const which = isReferralEntry(entry)
    ? `referral:${String(service.referral_id)}`
    : `program:${service.program_name ?? ''}`;
  return nameUuid(`oscar:${globalId}:${entry.org}:${which}:${service.uuid}`);
}

/** Every entry of the child's records, in an order that does not depend on OSCaR's listing order,
 * without repeats of one identity. */
export function serviceEntriesOf(child: OscarChild): ServiceEntry[] {
  const entries = child.records.flatMap((record) =>
    (record.services ?? []).map((service) => ({
      org: (record.organization_name ?? '').trim(),
      record,
      service,
    })),
  );
  const sortKey = (e: ServiceEntry) =>
    [
      e.org,
      isReferralEntry(e) ? '1' : '0',
      isReferralEntry(e)
        ? String(e.service.referral_id).padStart(12, '0')
        : (e.service.program_name ?? ''),
      e.service.uuid,
    ].join('\u0000');
  const unique = new Map<string, ServiceEntry>();
  for (const entry of entries) unique.set(rowIdFor(child.globalId, entry), entry);
  return [...unique.values()].sort((a, b) =>
    sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0,
  );
}

/** Whether planning needs the case's Primero referrals: only to apply OSCaR's decisions on rows
 * MoSVY referred. */
export function needsReferrals(child: OscarChild, rows: readonly ServiceRow[]): boolean {
  return (
    rows.some((row) => row.service_response_type === SERVICE_RESPONSE_TYPES.referralToOscar) &&
    serviceEntriesOf(child).some(isDecided)
  );
}

export interface ServiceRowsInput {
  child: OscarChild;
  existingRows: readonly ServiceRow[];
  referrals: readonly PrimeroReferral[];
  /** The Primero case was made in Primero (not by this sync): see caseOriginatedInPrimero. */
  caseFromPrimero: boolean;
  /** For messages only. */
  caseId?: string;
}

export function planServiceRows(input: ServiceRowsInput): ServiceRowsPlan {
  const { child, existingRows, referrals, caseFromPrimero } = input;
  const claimed = new Set<string>();
  const rows: ServiceRowWrite[] = [];
  const decisions: ReferralDecision[] = [];
  const inCase = input.caseId ? ` of Primero case ${input.caseId}` : '';

  for (const entry of serviceEntriesOf(child)) {
    const { service, org } = entry;
    const primero = primeroServiceFor(service.name);
    const agency = agencyForOrg(org);
    const ownId = rowIdFor(child.globalId, entry);
    const referralId = isReferralEntry(entry) ? String(service.referral_id) : undefined;
    const free = (row: ServiceRow) => !claimed.has(row.unique_id);
    const agencyFits = (row: ServiceRow) =>
      !row.service_implementing_agency || row.service_implementing_agency === agency;
    const subtypeOf = (row: ServiceRow) => row.service_subtype?.[0] ?? undefined;

    const match =
      (referralId !== undefined
        ? existingRows.find(
            (r) => free(r) && r.oscar_referral_id_a4ac8a5 === referralId && agencyFits(r),
          )
        : undefined) ??
      existingRows.find((r) => free(r) && r.unique_id === ownId) ??
      // The original jobs used OSCaR's catalogue uuid as the row id.
      existingRows.find(
        (r) => free(r) && r.unique_id === service.uuid && subtypeOf(r) === primero.subtype,
      ) ??
      // A referral MoSVY sent that OSCaR now lists: the pending row of that service to that NGO.
      (referralId !== undefined && !service.enrollment_date
        ? existingRows.find(
            (r) =>
              free(r) &&
              r.service_response_type === SERVICE_RESPONSE_TYPES.referralToOscar &&
              !r.oscar_referral_id_a4ac8a5 &&
              !isDecidedServiceRowStatus(r.referral_status_edf41f2) &&
              subtypeOf(r) === primero.subtype &&
              agencyFits(r),
          )
        : undefined);
    if (match) claimed.add(match.unique_id);

    if (match && match.service_response_type === SERVICE_RESPONSE_TYPES.referralToOscar) {
      // MoSVY owns this row; OSCaR only tells which of its referrals it is and what the NGO decided.
      const row: ServiceRowWrite = { unique_id: match.unique_id };
      if (referralId !== undefined) row.oscar_referral_id_a4ac8a5 = referralId;
      if (isDecided(entry)) {
        const decision = decideReferral(entry, match, referrals, inCase);
        if (decision.rowStatus) row.referral_status_edf41f2 = decision.rowStatus;
        decisions.push(...decision.updates);
      }
      rows.push(row);
      continue;
    }

    if (!match && isDecided(entry) && caseFromPrimero && !service.enrollment_date) {
      throw new ItemError(
        `OSCaR decision ${String(service.referral_status)} on referral ${referralId} of ${org} (service ` +
          `"${service.name}") matches no pending referral_to_oscar service row${inCase}: check the referral ` +
          'in Primero (it may have been revoked or its service changed)',
      );
    }

    const enrolled = enrollmentDateOf(service, org);
    const responseType = enrolled
      ? SERVICE_RESPONSE_TYPES.providedByOscarPartner
      : match?.service_response_type
        ? match.service_response_type
        : referralId === undefined && caseFromPrimero
          ? SERVICE_RESPONSE_TYPES.referralToOscar
          : SERVICE_RESPONSE_TYPES.referralFromOscar;
    const row: ServiceRowWrite = {
      unique_id: match?.unique_id ?? ownId,
      service_type: primero.type,
      service_subtype: [primero.subtype],
      service_response_type: responseType,
      service_implementing_agency: agency,
      oscar_referring_organization: agency,
    };
    if (enrolled) row.service_response_day_time = `${enrolled}T00:00:00.000Z`;
    if (referralId !== undefined) row.oscar_referral_id_a4ac8a5 = referralId;
    const record = entry.record;
    if (record.case_worker_name) row.oscar_case_worker_name = record.case_worker_name;
    if (record.case_worker_mobile) row.oscar_case_worker_telephone = record.case_worker_mobile;
    if (referralId !== undefined && record.reason_for_referral) {
      row.referral_notes_from_oscar_2e787b8 = record.reason_for_referral;
    }
    // MoSVY decides on a referral from OSCaR in Primero; only a new row starts it as pending.
    if (!match && responseType === SERVICE_RESPONSE_TYPES.referralFromOscar) {
      row.referral_status_edf41f2 = SERVICE_REFERRAL_STATUSES.pending;
    }
    rows.push(row);
  }
  return { rows, decisions };
}

function enrollmentDateOf(service: OscarService, org: string): string | undefined {
  const date = (service.enrollment_date ?? '').trim();
  if (date === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
    throw new ItemError(
      `Enrollment date of service "${service.name}" (${org}) is not a date of the form YYYY-MM-DD: correct it in OSCaR`,
    );
  }
  return date;
}

/**
 * OSCaR's decision on a referral MoSVY sent: PATCH the Primero referral still in progress for that
 * row and mark the row. The first decision wins: once the row or the referral is decided, a later
 * OSCaR status (an accepted child Exited when the service ends) does not rewrite it.
 */
function decideReferral(
  entry: ServiceEntry,
  row: ServiceRow,
  referrals: readonly PrimeroReferral[],
  inCase: string,
): { rowStatus?: ServiceRowWrite['referral_status_edf41f2']; updates: ReferralDecision[] } {
  const rowStatus = serviceRowStatusForOscar(entry.service.referral_status ?? '');
  const referralStatus = primeroReferralStatusForServiceRow(rowStatus);
  if (referralStatus === REFERRAL_IN_PROGRESS) return { updates: [] };
  const forRow = referrals.filter((referral) => referral.service_record_id === row.unique_id);
  const inProgress = forRow.filter((referral) => referral.status === REFERRAL_IN_PROGRESS);
  if (inProgress.length > 0) {
    return {
      rowStatus,
      updates: inProgress.map((referral) => ({
        referralId: referral.id,
        status: referralStatus,
        serviceRowId: row.unique_id,
      })),
    };
  }
  if (isDecidedServiceRowStatus(row.referral_status_edf41f2)) return { updates: [] };
  // The referral was decided by an earlier run whose row write did not land: finish that write.
  if (forRow.some((referral) => referral.status === referralStatus))
    return { rowStatus, updates: [] };
  throw new ItemError(
    `OSCaR decision ${String(entry.service.referral_status)} on referral ${String(entry.service.referral_id)} of ` +
      `${entry.org} matches service row ${row.unique_id}${inCase}, which has no referral in progress: check the ` +
      'referral in Primero',
  );
}
