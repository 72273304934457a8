// f2-j2's decision for one child: which Primero case it is, what that case should hold, and the
// smallest write that gets it there (nothing at all when Primero already holds it).
import {
  agencyUserForOrg,
  ageOn,
  displayName,
  provinceUserFor,
  repairDateOfBirth,
  riskLevelToPrimero,
  sexForPrimero,
  toPrimeroLocationCode,
} from '../../mapping/index.ts';
import type { OscarClientRecord } from '../../model/oscar.ts';
import { SERVICE_RESPONSE_TYPES } from '../../model/primero.ts';
import type {
  PrimeroCase,
  PrimeroCaseWrite,
  PrimeroReferral,
  ServiceRow,
  ServiceRowWrite,
} from '../../model/primero.ts';
import type { OscarChild } from './children.ts';
import { ItemError } from './item-error.ts';
import { nameUuid, planServiceRows } from './service-rows.ts';
import type { ReferralDecision } from './service-rows.ts';

/** How to look the child up in Primero: by the case id OSCaR knows, else by its global id. */
export interface CaseLookup {
  caseId?: string;
  oscarNumber: string;
}

const text = (value: string | null | undefined) => (value ?? '').trim();
const firstOf = (
  records: readonly OscarClientRecord[],
  pick: (r: OscarClientRecord) => string | null | undefined,
) => records.map((r) => text(pick(r))).find((value) => value !== '');

/** The primary record's values win; see groupChildren for which record that is. */
function primaryOf(child: OscarChild): OscarClientRecord {
  const primary = child.records[0];
  if (primary === undefined) throw new Error(`child ${child.globalId} has no OSCaR record`);
  return primary;
}

export function lookupOf(child: OscarChild): CaseLookup {
  const caseId = firstOf(child.records, (r) => r.external_id);
  return { oscarNumber: child.globalId, ...(caseId ? { caseId } : {}) };
}

/** The one case among the matches, or undefined for none; two or more is never guessed at. */
export function chooseCase(matches: readonly PrimeroCase[], how: string): PrimeroCase | undefined {
  if (matches.length > 1) {
    throw new ItemError(
      `ambiguous match: ${matches.length} Primero cases have ${how} (ids ${matches.map((c) => c.id).join(', ')}): ` +
        'merge them or correct the duplicate in Primero',
    );
  }
  return matches[0];
}

/** The id a case created for this child gets: name-based, so a retried create finds its first try. */
export function newCaseIdFor(globalId: string): string {
  return nameUuid(`oscar:case:${globalId}`);
}

/**
 * Whether a case was made in Primero rather than by this sync: Primero's `created_by` is another
 * user than the sync's; when Primero does not say, a case with a row MoSVY referred to OSCaR.
 */
export function caseOriginatedInPrimero(
  existing: PrimeroCase | undefined,
  syncUser: string,
): boolean {
  if (existing === undefined) return false;
  const createdBy = existing.created_by;
  if (typeof createdBy === 'string' && createdBy !== '') return createdBy !== syncUser;
  return (existing.services_section ?? []).some(
    (row) => row.service_response_type === SERVICE_RESPONSE_TYPES.referralToOscar,
  );
}

/** Referred children go to their province's manager, others to their NGO's agency user. */
export function ownerFor(child: OscarChild): string {
  const primary = primaryOf(child);
  if (primary.is_referred === true) {
    const code =
      text(primary.location_current_village_code) ||
      text(primary.address_current_village_code) ||
      text(primary.organization_address_code);
    return provinceUserFor(code);
  }
  return agencyUserForOrg(text(primary.organization_name));
}

/** Fields set on every run (OSCaR owns them). Empty OSCaR values never blank out Primero's. */
export function alwaysFields(child: OscarChild): PrimeroCaseWrite {
  const primary = primaryOf(child);
  const fields: PrimeroCaseWrite = { oscar_number: child.globalId };
  const slug = text(primary.slug);
  if (slug) fields.oscar_short_id = slug;
  const mosvy = firstOf(child.records, (r) => r.mosvy_number);
  if (mosvy) fields.mosvy_number = mosvy;
  const status = text(primary.status);
  if (status) fields.oscar_status = status;
  const risk = riskLevelToPrimero(firstOf(child.records, (r) => r.level_of_risk));
  if (risk) fields.risk_level = risk;
  return fields;
}

/** Fields only a new case gets; Primero owns them once the case exists. */
export function newCaseFields(child: OscarChild, today: Date): PrimeroCaseWrite {
  const primary = primaryOf(child);
  const referred = primary.is_referred === true;
  const fields: PrimeroCaseWrite = {
    module_id: 'primeromodule-cp',
    consent_for_services: true,
    disclosure_other_orgs: true,
  };
  const first = displayName(primary.given_name, primary.local_given_name);
  if (first) fields.name_first = first;
  const last = displayName(primary.family_name, primary.local_family_name);
  if (last) fields.name_last = last;
  const sex = sexForPrimero(primary.gender);
  if (sex) fields.sex = sex;
  const dob = repairDateOfBirth(primary.date_of_birth, today);
  if (dob) {
    fields.date_of_birth = dob;
    fields.age = ageOn(dob, today);
  }
  const location = toPrimeroLocationCode(
    text(primary.location_current_village_code) || text(primary.address_current_village_code),
  );
  if (location) fields.location_current = location;
  if (referred) {
    fields.protection_status = 'oscar_referral';
    fields.interview_subject = 'other';
  }
  return fields;
}

export interface PlanInput {
  child: OscarChild;
  /** The one Primero case found, or undefined to create one. */
  existing?: PrimeroCase;
  /** That case's referrals, when needsReferrals said so; else empty. */
  referrals?: readonly PrimeroReferral[];
  /** The Primero user the sync signs in as. */
  syncUser: string;
  today: Date;
}

export interface CasePlan {
  /** create: a new case; update: a PATCH; unchanged: Primero already holds everything. */
  action: 'create' | 'update' | 'unchanged';
  /** The Primero record id (existing, or the deterministic id of the new case). */
  id: string;
  caseId?: string;
  /** The POST or PATCH `data`: only the fields that differ from the case as Primero returned it. */
  write?: PrimeroCaseWrite;
  /** Primero referrals to PATCH with OSCaR's decision. */
  decisions: ReferralDecision[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function changedFields<T extends object>(
  before: Record<string, unknown> | undefined,
  wanted: T,
): Partial<T> {
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wanted)) {
    if (value === undefined) continue;
    if (before !== undefined && same(before[key], value)) continue;
    changed[key] = value;
  }
  return changed as Partial<T>;
}

function changedRows(
  before: readonly ServiceRow[],
  wanted: readonly ServiceRowWrite[],
): ServiceRowWrite[] {
  const byId = new Map(before.map((row) => [row.unique_id, row]));
  const changed: ServiceRowWrite[] = [];
  for (const row of wanted) {
    const existing = row.unique_id ? byId.get(row.unique_id) : undefined;
    if (!existing) {
      changed.push(row);
      continue;
    }
    const { unique_id: _id, ...rest } = changedFields(existing as Record<string, unknown>, row);
    // Primero merges rows by unique_id, so the changed fields are enough.
    if (Object.keys(rest).length > 0) changed.push({ unique_id: row.unique_id, ...rest });
  }
  return changed;
}

export function planCaseUpsert(input: PlanInput): CasePlan {
  const { child, existing, syncUser, today } = input;
  const fromPrimero = caseOriginatedInPrimero(existing, syncUser);
  const wanted: PrimeroCaseWrite = {
    ...(existing === undefined ? newCaseFields(child, today) : {}),
    ...alwaysFields(child),
  };
  if (!fromPrimero) wanted.owned_by = ownerFor(child);
  const existingRows = existing?.services_section ?? [];
  const services = planServiceRows({
    child,
    existingRows,
    referrals: input.referrals ?? [],
    caseFromPrimero: fromPrimero,
    ...(existing ? { caseId: existing.case_id } : {}),
  });

  if (existing === undefined) {
    const id = newCaseIdFor(child.globalId);
    const write: PrimeroCaseWrite = { id, ...changedFields(undefined, wanted) };
    if (services.rows.length > 0) write.services_section = services.rows;
    return { action: 'create', id, write, decisions: [] };
  }

  const write: PrimeroCaseWrite = changedFields(existing as Record<string, unknown>, wanted);
  const rows = changedRows(existingRows, services.rows);
  if (rows.length > 0) write.services_section = rows;
  const base = { id: existing.id, caseId: existing.case_id, decisions: services.decisions };
  return Object.keys(write).length > 0
    ? { ...base, action: 'update', write }
    : { ...base, action: 'unchanged' };
}
