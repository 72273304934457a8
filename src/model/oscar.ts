// Typed records of the OSCaR interop API v1 (docs/spec/apis.md §2). The permitted upsert keys
// are declared once here: the client sends only these and the emulator drops everything else,
// as OSCaR's strong params do.
import * as z from 'zod/mini';
// English messages, as classic zod gives them.
import '../validation.ts';

// Referral statuses are mapping facts: declared in the mapping library.
import { OSCAR_REFERRAL_STATUSES } from '../mapping/statuses.ts';
export { OSCAR_REFERRAL_STATUSES, type OscarReferralStatus } from '../mapping/statuses.ts';

/** The statuses upsert accepts in its top-level `referral_status` (Active is not among them). */
export const OSCAR_UPSERT_REFERRAL_STATUSES = ['Accepted', 'Exited', 'Referred'] as const;

export const OSCAR_LEVELS_OF_RISK = ['high', 'medium', 'low', 'no action'] as const;

export const OSCAR_GENDERS = [
  'female',
  'male',
  'lgbt',
  'unknown',
  'prefer_not_to_say',
  'other',
] as const;

/** Keys of `organization` that `POST /api/v1/organizations/clients/upsert` permits. */
export const OSCAR_UPSERT_FIELDS = [
  'global_id',
  'external_id',
  'external_id_display',
  'mosvy_number',
  'given_name',
  'family_name',
  'gender',
  'date_of_birth',
  'location_current_village_code',
  'address_current_village_code',
  'reason_for_referral',
  'reason_for_exiting',
  'organization_id',
  'organization_name',
  'external_case_worker_name',
  'external_case_worker_id',
  'external_case_worker_mobile',
  'external_case_worker_email',
  'level_of_risk',
  'is_referred',
  'referral_status',
  'services',
] as const;
export type OscarUpsertField = (typeof OSCAR_UPSERT_FIELDS)[number];

/** Keys permitted inside each `organization.services[]` entry. */
export const OSCAR_UPSERT_SERVICE_FIELDS = ['uuid', 'name'] as const;

/** Keys of each `update_links` item OSCaR reads. */
export const OSCAR_LINK_FIELDS = ['global_id', 'external_id', 'external_id_display'] as const;

/** Keys of each `update_statuses` item OSCaR reads. */
export const OSCAR_STATUS_UPDATE_FIELDS = [
  'client_global_id',
  'referral_id',
  'referral_status',
] as const;

const text = z.string();
const optionalText = z.nullish(z.string());

export const oscarServiceSchema = z.object({
  uuid: text,
  name: text,
  program_name: optionalText,
  enrollment_date: optionalText,
  referral_id: z.nullish(z.int()),
  referral_status: optionalText,
});
export type OscarService = z.infer<typeof oscarServiceSchema>;

/**
 * One client of `GET /api/v1/organizations/clients`, tolerant of both serializers: Part A
 * (OrganizationClientSerializer, referred clients) and Part B (ClientShareExternalSerializer).
 * Only `global_id` is required: without it a client cannot be matched to anything.
 */
export const oscarClientRecordSchema = z.object({
  global_id: z.string().check(z.trim(), z.minLength(1, 'must be a non-empty string')),
  slug: optionalText,
  external_id: optionalText,
  external_id_display: optionalText,
  mosvy_number: optionalText,
  given_name: optionalText,
  family_name: optionalText,
  local_given_name: optionalText,
  local_family_name: optionalText,
  gender: optionalText,
  date_of_birth: optionalText,
  location_current_village_code: optionalText,
  address_current_village_code: optionalText,
  organization_id: z.nullish(z.int()),
  organization_name: optionalText,
  organization_address_code: optionalText,
  external_case_worker_name: optionalText,
  external_case_worker_id: optionalText,
  reason_for_referral: optionalText,
  status: optionalText,
  case_worker_name: optionalText,
  case_worker_mobile: optionalText,
  is_referred: z.nullish(z.boolean()),
  referral_consent_form: z.nullish(z.array(z.unknown())),
  level_of_risk: optionalText,
  resource: optionalText,
  services: z.nullish(z.array(oscarServiceSchema)),
});
export type OscarClientRecord = z.infer<typeof oscarClientRecordSchema>;

/**
 * A listed client as f2-j1 keeps it: the fields it decides on, and the parsed record as JSON text.
 * A first window lists tens of thousands of clients in one answer; held as objects until f2-j1
 * hands them on, they were the largest thing a first run held (docs/performance.md, "Memory at
 * scale"). As text a record takes about a third of the memory.
 */
export type ListedClient = Pick<
  OscarClientRecord,
  'global_id' | 'organization_name' | 'slug' | 'is_referred' | 'external_id'
> & {
  /** The record as oscarClientRecordSchema parsed it, as JSON. */
  json: string;
};

export function listedClient(record: OscarClientRecord): ListedClient {
  const { global_id, organization_name, slug, is_referred, external_id } = record;
  return {
    global_id,
    organization_name,
    slug,
    is_referred,
    external_id,
    json: JSON.stringify(record),
  };
}

export const oscarUpsertServiceSchema = z.object({
  uuid: z.optional(z.string()),
  name: z.string(),
});

// `satisfies` makes the compiler check that this shape has exactly the keys declared above.
const upsertShape = {
  global_id: z.optional(z.string()),
  external_id: z.optional(z.string()),
  external_id_display: z.optional(z.string()),
  mosvy_number: z.optional(z.string()),
  given_name: z.optional(z.string()),
  family_name: z.optional(z.string()),
  gender: z.optional(z.string()),
  date_of_birth: z.optional(z.string()),
  location_current_village_code: z.optional(z.string()),
  address_current_village_code: z.optional(z.string()),
  reason_for_referral: z.optional(z.string()),
  reason_for_exiting: z.optional(z.string()),
  organization_id: z.optional(z.union([z.number(), z.string()])),
  organization_name: z.string(),
  external_case_worker_name: z.optional(z.string()),
  external_case_worker_id: z.optional(z.string()),
  external_case_worker_mobile: z.optional(z.string()),
  external_case_worker_email: z.optional(z.string()),
  level_of_risk: z.optional(z.enum(OSCAR_LEVELS_OF_RISK)),
  is_referred: z.optional(z.boolean()),
  referral_status: z.optional(z.enum(OSCAR_UPSERT_REFERRAL_STATUSES)),
  services: z.optional(z.array(oscarUpsertServiceSchema)),
} satisfies Record<OscarUpsertField, z.ZodMiniType>;
type MissingUpsertKeys = Exclude<OscarUpsertField, keyof typeof upsertShape>;
const noMissingUpsertKeys: MissingUpsertKeys extends never ? true : never = true;
void noMissingUpsertKeys;

export const oscarUpsertPayloadSchema = z.object(upsertShape);
/** The `organization` object of an upsert: only the keys OSCaR permits. */
export type OscarUpsertPayload = z.infer<typeof oscarUpsertPayloadSchema>;

export const oscarLinkSchema = z.object({
  global_id: z.string(),
  external_id: z.string(),
  external_id_display: z.string(),
});
export type OscarLink = z.infer<typeof oscarLinkSchema>;

export const oscarStatusUpdateSchema = z.object({
  client_global_id: z.string(),
  referral_id: z.int(),
  referral_status: z.enum(OSCAR_REFERRAL_STATUSES),
});
export type OscarStatusUpdate = z.infer<typeof oscarStatusUpdateSchema>;

export const oscarUpsertResponseSchema = z.object({
  external_id: z.nullish(z.string()),
  message: z.string(),
});

/**
 * Keeps only the permitted keys (top level and per service), dropping the rest silently as
 * OSCaR's strong params do. Values are not checked: this is the filter, not the validator.
 */
export function pickPermittedUpsertFields(
  organization: Record<string, unknown>,
): Record<string, unknown> {
  const permitted: Record<string, unknown> = {};
  for (const key of OSCAR_UPSERT_FIELDS) {
    if (!(key in organization)) continue;
    const value = organization[key];
    if (key === 'services' && Array.isArray(value)) {
      permitted.services = value.map((service: unknown) =>
        pickKeys(service, OSCAR_UPSERT_SERVICE_FIELDS),
      );
    } else {
      permitted[key] = value;
    }
  }
  return permitted;
}

export function pickKeys(value: unknown, keys: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  if (typeof value !== 'object' || value === null) return picked;
  const source = value as Record<string, unknown>;
  for (const key of keys) if (key in source) picked[key] = source[key];
  return picked;
}

/** `path.to.field: message` for the first few issues; never the rejected values themselves. */
export function describeZodIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(record)'}: ${issue.message}`)
    .join('; ');
}
