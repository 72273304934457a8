// Primero API v2 records as this project sees them, and THE declaration of which case and service-row
// fields may be written. The emulator answers 422 to any other key (as Primero's JSON schema with
// additionalProperties:false does, apis.md §1.4) and the sync builds its writes from the same lists.
import * as z from 'zod/mini';
// English messages, as classic zod gives them.
import '../validation.ts';

/** How a permitted field is typed in Primero's JSON schema; every field also accepts null. */
export type PrimeroFieldKind =
  'string' | 'boolean' | 'integer' | 'string[]' | 'date' | 'datetime' | 'subform';

/** Service-row (services_section) fields a client may send, including the Cambodia custom fields (§1.8). */
export const PRIMERO_SERVICE_ROW_FIELD_TYPES = {
  unique_id: 'string',
  service_type: 'string',
  service_subtype: 'string[]',
  service_type_text: 'string',
  service_type_details_text: 'string',
  service_response_type: 'string',
  service_response_day_time: 'datetime',
  service_response_timeframe: 'string',
  service_appointment_date: 'date',
  service_implementing_agency: 'string',
  service_implementing_agency_individual: 'string',
  service_delivery_location: 'string',
  service_referral: 'string',
  service_referral_notes: 'string',
  service_status_referred: 'boolean',
  service_implemented: 'string',
  service_implemented_day_time: 'datetime',
  note_on_referral_from_provider: 'string',
  oscar_referral_id_a4ac8a5: 'string',
  referral_status_edf41f2: 'string',
  referral_notes_from_oscar_2e787b8: 'string',
  oscar_case_worker_name: 'string',
  oscar_case_worker_telephone: 'string',
  oscar_referring_organization: 'string',
} as const satisfies Record<string, PrimeroFieldKind>;

export type PrimeroServiceRowField = keyof typeof PRIMERO_SERVICE_ROW_FIELD_TYPES;
export const PRIMERO_SERVICE_ROW_FIELDS = Object.keys(
  PRIMERO_SERVICE_ROW_FIELD_TYPES,
) as PrimeroServiceRowField[];

/**
 * Case fields a client may send in POST/PATCH `{data:{...}}`. Server-set fields (case_id,
 * case_id_display, short_id, workflow, last_updated_at, created_at, owned_by_agency_id, enabled)
 * are absent on purpose: see PRIMERO_SERVER_SET_CASE_FIELDS. `id` on POST is a client-generated
 * UUID (Primero answers 204); on PATCH it may only repeat the id in the URL.
 */
export const PRIMERO_CASE_FIELD_TYPES = {
  id: 'string',
  module_id: 'string',
  status: 'string',
  record_state: 'boolean',
  registration_date: 'date',
  name_first: 'string',
  name_last: 'string',
  sex: 'string',
  date_of_birth: 'date',
  age: 'integer',
  location_current: 'string',
  address_current: 'string',
  protection_status: 'string',
  interview_subject: 'string',
  consent_for_services: 'boolean',
  disclosure_other_orgs: 'boolean',
  risk_level: 'string',
  owned_by: 'string',
  owned_by_phone: 'string',
  assigned_user_names: 'string[]',
  oscar_number: 'string',
  oscar_short_id: 'string',
  mosvy_number: 'string',
  oscar_status: 'string',
  oscar_reason_for_exiting: 'string',
  services_section: 'subform',
} as const satisfies Record<string, PrimeroFieldKind>;

export type PrimeroCaseField = keyof typeof PRIMERO_CASE_FIELD_TYPES;
export const PRIMERO_CASE_FIELDS = Object.keys(PRIMERO_CASE_FIELD_TYPES) as PrimeroCaseField[];

/** Set by the server; returned on reads, refused (422) on writes. */
export const PRIMERO_SERVER_SET_CASE_FIELDS = [
  'case_id',
  'case_id_display',
  'short_id',
  'workflow',
  'last_updated_at',
  'created_at',
  'created_by',
  'owned_by_agency_id',
  'enabled',
] as const;

export function isPermittedCaseField(name: string): name is PrimeroCaseField {
  return Object.hasOwn(PRIMERO_CASE_FIELD_TYPES, name);
}

export function isPermittedServiceRowField(name: string): name is PrimeroServiceRowField {
  return Object.hasOwn(PRIMERO_SERVICE_ROW_FIELD_TYPES, name);
}

// Values seen in JOBS V2 (apis.md §1.8).
export const SERVICE_RESPONSE_TYPES = {
  referralToOscar: 'referral_to_oscar',
  referralFromOscar: 'referral_from_oscar',
  providedByOscarPartner: 'service_being_provided_by_oscar_partner_47618',
} as const;
// The service-row referral statuses are mapping facts: declared in the mapping library.
export { SERVICE_ROW_STATUS as SERVICE_REFERRAL_STATUSES } from '../mapping/statuses.ts';

import { PRIMERO_REFERRAL_STATUSES } from '../mapping/statuses.ts';
export { type PrimeroReferralStatus } from '../mapping/statuses.ts';

const str = z.nullish(z.string());
const bool = z.nullish(z.boolean());

// Reads are loose: real Primero returns many more fields than the sync uses, and they must not
// break parsing. Only what the sync relies on is typed.
export const serviceRowSchema = z.looseObject({
  unique_id: z.string(),
  service_type: str,
  service_subtype: z.nullish(z.array(z.nullable(z.string()))),
  service_type_text: str,
  service_type_details_text: str,
  service_response_type: str,
  service_response_day_time: str,
  service_implementing_agency: str,
  service_referral_notes: str,
  service_status_referred: bool,
  service_implemented: str,
  service_implemented_day_time: str,
  note_on_referral_from_provider: str,
  oscar_referral_id_a4ac8a5: str,
  referral_status_edf41f2: str,
  referral_notes_from_oscar_2e787b8: str,
  oscar_case_worker_name: str,
  oscar_case_worker_telephone: str,
  oscar_referring_organization: str,
});
export type ServiceRow = z.infer<typeof serviceRowSchema>;

export const primeroCaseSchema = z.looseObject({
  id: z.string(),
  case_id: z.string(),
  case_id_display: str,
  short_id: str,
  enabled: bool,
  record_state: bool,
  status: str,
  workflow: str,
  module_id: str,
  created_at: str,
  last_updated_at: z.string(),
  registration_date: str,
  name_first: str,
  name_last: str,
  sex: str,
  date_of_birth: str,
  age: z.nullish(z.number()),
  location_current: str,
  protection_status: str,
  interview_subject: str,
  consent_for_services: bool,
  disclosure_other_orgs: bool,
  risk_level: str,
  owned_by: str,
  owned_by_phone: str,
  owned_by_agency_id: z.nullish(z.union([z.string(), z.number()])),
  oscar_number: str,
  oscar_short_id: str,
  mosvy_number: str,
  oscar_status: str,
  oscar_reason_for_exiting: str,
  services_section: z.nullish(z.array(serviceRowSchema)),
});
export type PrimeroCase = z.infer<typeof primeroCaseSchema>;

export const primeroReferralSchema = z.looseObject({
  id: z.string(),
  type: str,
  status: z.enum(PRIMERO_REFERRAL_STATUSES),
  record_id: z.string(),
  record_type: str,
  transitioned_to: str,
  transitioned_to_remote: str,
  transitioned_to_agency: str,
  transitioned_by: str,
  service: str,
  service_record_id: str,
  remote: bool,
  type_of_export: str,
  notes: str,
  consent_overridden: bool,
  consent_individual_transfer: bool,
  rejected_reason: str,
  rejection_note: str,
  created_at: str,
  responded_at: str,
  record_access_denied: bool,
  user_can_accept_or_reject: bool,
});
export type PrimeroReferral = z.infer<typeof primeroReferralSchema>;

type WriteValue<K extends PrimeroFieldKind> = K extends 'boolean'
  ? boolean | null
  : K extends 'integer'
    ? number | null
    : K extends 'string[]'
      ? string[] | null
      : string | null;

/** A service row as sent: permitted fields only; `_destroy: true` removes the row with that unique_id. */
export type ServiceRowWrite = {
  [K in PrimeroServiceRowField]?: WriteValue<(typeof PRIMERO_SERVICE_ROW_FIELD_TYPES)[K]>;
} & { _destroy?: boolean };

/** The `data` of a POST or PATCH: permitted fields only (the type enforces what the emulator checks). */
export type PrimeroCaseWrite = {
  [K in Exclude<PrimeroCaseField, 'services_section'>]?: WriteValue<
    (typeof PRIMERO_CASE_FIELD_TYPES)[K]
  >;
} & { services_section?: ServiceRowWrite[] };

/** Thrown when a Primero answer does not have the shape the sync relies on. */
export class PrimeroRecordError extends Error {
  override name = 'PrimeroRecordError';
  /** Set when the error is about one record (its Primero id): that item fails, not the answer. */
  readonly recordId: string | undefined;

  constructor(message: string, recordId?: string) {
    super(message);
    this.recordId = recordId;
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length
    ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    : [];
  const field = path.join('').replace(/^\./, '') || '(record)';
  return `field ${field}: ${issue.message}`;
}

function parseWith<T>(schema: z.ZodMiniType<T>, raw: unknown, what: string): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const recordId =
    typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
      ? (raw as { id: string }).id
      : undefined;
  // zod messages name the expected type, never the received value, so no child data leaks here.
  const issues = result.error.issues.slice(0, 3).map(describeIssue).join('; ');
  throw new PrimeroRecordError(
    `Primero ${what}${recordId ? ` ${recordId}` : ''} is not as expected: ${issues}`,
    recordId,
  );
}

export function parsePrimeroCase(raw: unknown): PrimeroCase {
  return parseWith(primeroCaseSchema, raw, 'case');
}

export function parsePrimeroReferral(raw: unknown): PrimeroReferral {
  return parseWith(primeroReferralSchema, raw, 'referral');
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function kindViolation(kind: PrimeroFieldKind, value: unknown): boolean {
  if (value === null) return false;
  switch (kind) {
    case 'string':
      return typeof value !== 'string';
    case 'boolean':
      return typeof value !== 'boolean';
    case 'integer':
      return typeof value !== 'number' || !Number.isInteger(value);
    case 'string[]':
      return !Array.isArray(value) || value.some((v) => v !== null && typeof v !== 'string');
    case 'date':
      return typeof value !== 'string' || !DATE.test(value);
    case 'datetime':
      return typeof value !== 'string' || !DATETIME.test(value);
    case 'subform':
      return (
        !Array.isArray(value) ||
        value.some((row) => typeof row !== 'object' || row === null || Array.isArray(row))
      );
  }
}

const pointerEscape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * JSON pointers of every key in a case write that Primero's schema would refuse: unknown or
 * server-set keys (case level and inside services_section rows) and values of the wrong type.
 * Empty means the write is valid. (`id` is permitted in both; an update may only repeat the URL's id.)
 */
export function invalidCaseWritePointers(data: unknown): string[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return [''];
  const pointers: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (!isPermittedCaseField(key)) {
      pointers.push(`/${pointerEscape(key)}`);
      continue;
    }
    const kind: PrimeroFieldKind = PRIMERO_CASE_FIELD_TYPES[key];
    if (kindViolation(kind, value)) {
      pointers.push(`/${pointerEscape(key)}`);
      continue;
    }
    if (kind === 'subform' && Array.isArray(value)) {
      value.forEach((row: Record<string, unknown>, index) => {
        for (const [rowKey, rowValue] of Object.entries(row)) {
          const where = `/${key}/${index}/${pointerEscape(rowKey)}`;
          if (rowKey === '_destroy') {
            if (typeof rowValue !== 'boolean') pointers.push(where);
            continue;
          }
          if (!isPermittedServiceRowField(rowKey)) pointers.push(where);
          else if (kindViolation(PRIMERO_SERVICE_ROW_FIELD_TYPES[rowKey], rowValue))
            pointers.push(where);
        }
      });
    }
  }
  return pointers;
}
