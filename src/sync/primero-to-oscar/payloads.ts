// The OSCaR requests f1's items become (docs/sync-rules.md, "Which referrals go to OSCaR",
// "Decisions and links"): only fields OSCaR permits, data OSCaR would refuse an item error that
// names the case and the fix.
import type { OscarStatusUpdate, OscarUpsertPayload } from '../../model/oscar.ts';
import type { PrimeroCase } from '../../model/primero.ts';
import type { DecisionForOscar, ReferralToOscar } from '../../model/to-oscar.ts';
import {
  MappingError,
  repairDateOfBirth,
  isKnownOrg,
  orgForAgency,
  oscarServiceNameFor,
  oscarStatusForServiceRow,
  riskLevelToOscar,
  toOscarLocationCode,
} from '../../mapping/index.ts';

/**
 * The upsert body for one referral: exactly one service, only fields OSCaR permits. Throws
 * MappingError (the item's reason) for data OSCaR would refuse or that cannot be mapped.
 */
export function toOscarReferral(
  item: Pick<ReferralToOscar, 'case' | 'row' | 'referral'>,
): OscarUpsertPayload {
  const { case: record, row, referral } = item;
  const agency = (row.service_implementing_agency ?? '').trim();
  if (agency === '') {
    throw new MappingError(
      `service row ${row.unique_id} has no service_implementing_agency: choose the receiving NGO in Primero`,
    );
  }
  const org = orgForAgency(agency);
  if (!isKnownOrg(org)) {
    throw new MappingError(
      `unknown agency ${agency} on service row ${row.unique_id}: add ${org} to src/mapping/agencies.json if it is an OSCaR organisation`,
    );
  }
  const location = toOscarLocationCode(record.location_current);
  const payload: OscarUpsertPayload = {
    external_id: record.case_id,
    external_id_display: record.case_id_display ?? '',
    mosvy_number: record.mosvy_number ?? '',
    given_name: record.name_first ?? '',
    family_name: record.name_last ?? '',
    gender: record.sex ?? '',
    date_of_birth: birthDateFor(record),
    location_current_village_code: location,
    address_current_village_code: location,
    reason_for_referral: referral.notes ?? '',
    organization_name: org,
    external_case_worker_name: record.owned_by ?? '',
    // OSCaR requires a phone on every referral; the partners agreed on this placeholder.
    external_case_worker_mobile: record.owned_by_phone || '000000000',
    level_of_risk: riskLevelToOscar(record.risk_level),
    is_referred: true,
    services: [{ uuid: row.unique_id, name: oscarServiceNameFor(row.service_subtype?.[0]) }],
  };
  // Without global_id OSCaR refuses a second referral of a child it has accepted (apis.md §2.3).
  if (record.oscar_number) payload.global_id = record.oscar_number;
  return payload;
}

/**
 * The child's date of birth for OSCaR: the known doubled-digit typo repaired (`22012-01-01`),
 * an impossible date an item error (the message never repeats the date).
 */
function birthDateFor(record: PrimeroCase): string {
  try {
    return repairDateOfBirth((record.date_of_birth ?? '').replace(/\//g, '-')) ?? '';
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    throw new MappingError(
      `date_of_birth of case ${record.case_id}: ${error.message}: correct it in Primero`,
    );
  }
}

/** The update_statuses item of a decision; throws MappingError when OSCaR could not apply it. */
export function toOscarStatusUpdate(decision: DecisionForOscar): OscarStatusUpdate {
  if (decision.ids.global_id === '') {
    throw new MappingError(
      `case ${decision.ids.case_id} has no oscar_number: OSCaR cannot find the client of referral ${decision.ids.oscar_referral_id}`,
    );
  }
  return {
    client_global_id: decision.ids.global_id,
    referral_id: Number(decision.ids.oscar_referral_id),
    referral_status: oscarStatusForServiceRow(decision.rowStatus),
  };
}
