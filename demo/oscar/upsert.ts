// POST /api/v1/organizations/clients/upsert: OSCaR's decision tree (apis.md §2.3), as a pure
// function over the in-memory state. Quirks are kept on purpose; each one is named where it lives.
import {
  OSCAR_GENDERS,
  OSCAR_LEVELS_OF_RISK,
  OSCAR_REFERRAL_STATUSES,
  OSCAR_UPSERT_REFERRAL_STATUSES,
  pickPermittedUpsertFields,
} from '../../src/model/oscar.ts';
import type { Caller } from './list-clients.ts';
import type { Client, OscarState, Referral, Tenant } from './state.ts';
import { addReferral, ensureGlobalIdentity, externalReferralsOf } from './state.ts';
import { newUlid } from './ulid.ts';

export interface EmulatorReply {
  status: number;
  body: unknown;
}

/** Where the real controller raises (nil receivers, unknown tenant): OSCaR answers 500. */
export class OscarServerError extends Error {}

export const RECORD_ERROR = 'Record error. Please check OSCaR logs for details.';
export const RECORD_SAVED = 'Record saved.';
const STATUS_LIST_MESSAGE = "Referral status must be one of ['Accepted', 'Exited', 'Referred'].";

type Payload = Record<string, unknown>;

const present = (value: unknown): boolean =>
  value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
const asText = (value: unknown): string | null => (present(value) ? String(value) : null);
// Ruby truthiness: only nil and false are false.
const rubyTruthy = (value: unknown): boolean =>
  value !== undefined && value !== null && value !== false;

function tenantFor(state: OscarState, organizationName: string): Tenant {
  const tenant = state.tenantsByShortName.get(organizationName);
  if (!tenant) throw new OscarServerError(`Apartment::TenantNotFound: ${organizationName}`);
  return tenant;
}

/**
 * Client.get_address_by_code: the code's length picks the level; parent codes are its prefixes.
 * A 7-digit village code is left-padded to 8, which is why Primero's codes survive.
 */
export function addressByCode(
  code: string,
): Pick<Client, 'province_code' | 'district_code' | 'commune_code' | 'village_code'> {
  const trimmed = code.trim();
  const none = { province_code: null, district_code: null, commune_code: null, village_code: null };
  if (trimmed === '') return none;
  const width = trimmed.length <= 2 ? 2 : trimmed.length <= 4 ? 4 : trimmed.length <= 6 ? 6 : 8;
  const padded = trimmed.padStart(width, '0');
  return {
    province_code: padded.slice(0, 2),
    district_code: width >= 4 ? padded.slice(0, 4) : null,
    commune_code: width >= 6 ? padded.slice(0, 6) : null,
    village_code: width >= 8 ? padded.slice(0, 8) : null,
  };
}

export type ValidationErrors = Record<string, string[]>;

/** Referral's validations (oscar-web app/models/referral.rb l.18-29), Rails default messages. */
export function validateReferral(referral: Referral, tenantShortName?: string): ValidationErrors {
  const errors: ValidationErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  const required: Array<keyof Referral> = [
    'client_name',
    'client_global_id',
    'date_of_referral',
    'referred_from',
    'referred_to',
    'referral_reason',
    'name_of_referee',
    'referral_phone',
  ];
  for (const field of required) if (!present(referral[field])) add(field, "can't be blank");
  if (!present(referral.level_of_risk)) add('level_of_risk', "can't be blank");
  else if (!(OSCAR_LEVELS_OF_RISK as readonly string[]).includes(referral.level_of_risk!)) {
    add('level_of_risk', 'is not included in the list');
  }
  if (!(OSCAR_REFERRAL_STATUSES as readonly string[]).includes(referral.referral_status)) {
    add('referral_status', 'is not included in the list');
  }
  // Services are matched by exact name: names not in the catalogue leave the list empty.
  if (referral.services.length === 0) add('services', "can't be blank");
  // making_referral?: a referral the current tenant sends needs its consent form.
  if (
    tenantShortName &&
    referral.referred_from === tenantShortName &&
    referral.consent_form.length === 0
  )
    add('consent_form', "can't be blank");
  return errors;
}

function buildReferral(
  state: OscarState,
  tenant: Tenant,
  payload: Payload,
  caller: Caller,
  clientGlobalId: string | null,
  clientId: number | null,
  now: Date,
): Referral {
  const services = Array.isArray(payload.services) ? payload.services : [];
  const uuids: string[] = [];
  for (const entry of services) {
    const name = typeof entry === 'object' && entry !== null ? (entry as Payload).name : undefined;
    const service = typeof name === 'string' ? state.servicesByName.get(name) : undefined;
    if (service && !uuids.includes(service.uuid)) uuids.push(service.uuid);
  }
  const given = asText(payload.given_name);
  const family = asText(payload.family_name);
  const location =
    asText(payload.location_current_village_code) ?? asText(payload.address_current_village_code);
  const stamp = now.toISOString();
  return {
    id: tenant.nextReferralId,
    client_id: clientId,
    client_global_id: clientGlobalId,
    external_id: asText(payload.external_id),
    external_id_display: asText(payload.external_id_display),
    mosvy_number: asText(payload.mosvy_number),
    client_name: [given, family].filter(Boolean).join(' ') || null,
    client_gender: asText(payload.gender),
    client_date_of_birth: asText(payload.date_of_birth),
    location_code: location,
    ngo_name: caller.systemName,
    referred_from: caller.systemName,
    referred_to: asText(payload.organization_name),
    // Referral.get_referral_attribute sets no status: the column default, whatever was sent.
    referral_status: 'Referred',
    level_of_risk: asText(payload.level_of_risk),
    referral_reason: asText(payload.reason_for_referral) ?? 'N/A',
    name_of_referee: asText(payload.external_case_worker_name),
    referral_phone: asText(payload.external_case_worker_mobile),
    // OSCaR ignores the sender's date_of_referral and stamps today.
    date_of_referral: stamp.slice(0, 10),
    services: uuids,
    consent_form: [],
    created_at: stamp,
    updated_at: stamp,
  };
}

function saveReferral(state: OscarState, tenant: Tenant, referral: Referral): ValidationErrors {
  const errors = validateReferral(referral);
  if (Object.keys(errors).length === 0) addReferral(state, tenant, referral);
  return errors;
}

/**
 * render_client_data's update through Client.get_client_attribute (oscar-web app/models/client.rb
 * l.902-925): every listed attribute becomes what was sent OR nil. Local names are never permitted
 * and the referral reason is read from a key (`referral_reason`) that is never permitted, so both
 * always become nil; the address comes from the code or is cleared. The external ids (and
 * synced_date) change only when an external_id is sent. Client validates gender (l.143-146): a
 * blank or unknown gender refuses the whole update. Returns the validation errors.
 */
function overwriteClient(client: Client, payload: Payload, now: Date): ValidationErrors {
  const gender = asText(payload.gender);
  if (!gender) return { gender: ["can't be blank"] };
  if (!(OSCAR_GENDERS as readonly string[]).includes(gender))
    return { gender: ['is not included in the list'] };
  const before = JSON.stringify(client);
  client.mosvy_number = asText(payload.mosvy_number);
  client.given_name = asText(payload.given_name);
  client.family_name = asText(payload.family_name);
  client.local_given_name = null;
  client.local_family_name = null;
  client.gender = gender;
  client.date_of_birth = asText(payload.date_of_birth);
  client.reason_for_referral = null;
  client.external_case_worker_id = asText(payload.external_case_worker_id);
  client.external_case_worker_name = asText(payload.external_case_worker_name);
  // Ruby's `||`: an empty address code is still "given" and clears the address.
  const code = payload.address_current_village_code ?? payload.location_current_village_code;
  Object.assign(client, addressByCode(code == null ? '' : String(code)));
  if (present(payload.external_id)) {
    client.external_id = asText(payload.external_id);
    client.external_id_display = asText(payload.external_id_display);
    client.synced_date = now.toISOString().slice(0, 10);
  }
  if (JSON.stringify(client) !== before) client.updated_at = now.toISOString();
  return {};
}

function renderClientData(
  state: OscarState,
  receiving: Tenant,
  globalId: string,
  payload: Payload,
  caller: Caller,
  now: Date,
): EmulatorReply {
  const identity = state.globalIdentities.get(globalId);
  const first = identity?.organizations[0];
  // l.85-100: no organisation holds the identity yet (a referral not accepted): find_referral.
  if (!first) return upsertByReferral(state, receiving, payload, caller, now);
  const tenant = first ? state.tenantsByShortName.get(first.short_name) : undefined;
  const client = tenant && first ? tenant.clientsById.get(first.client_id) : undefined;
  if (!tenant || !client) throw new OscarServerError("undefined method `errors' for nil:NilClass");
  const invalid = overwriteClient(client, payload, now);
  if (Object.keys(invalid).length > 0)
    return { status: 422, body: { external_id: asText(payload.external_id), message: invalid } };
  const status = payload.referral_status;
  if (!present(status))
    return { status: 200, body: { external_id: client.external_id, message: RECORD_SAVED } };
  if (!(OSCAR_UPSERT_REFERRAL_STATUSES as readonly unknown[]).includes(status)) {
    return {
      status: 422,
      body: { external_id: asText(payload.external_id), message: STATUS_LIST_MESSAGE },
    };
  }
  // The last referral received from and the last delivered to this external system.
  const referrals = externalReferralsOf(tenant, client, caller.systemName);
  const received = referrals.filter((r) => r.referred_to === tenant.short_name).at(-1);
  const delivered = referrals.filter((r) => r.referred_from === tenant.short_name).at(-1);
  for (const referral of [received, delivered]) {
    if (!referral) continue;
    referral.referral_status = String(status);
    referral.updated_at = now.toISOString();
  }
  return { status: 200, body: { external_id: asText(payload.external_id), message: RECORD_SAVED } };
}

/** Branch 2: the global_id is known. */
function upsertKnownIdentity(
  state: OscarState,
  tenant: Tenant,
  globalId: string,
  payload: Payload,
  caller: Caller,
  now: Date,
): EmulatorReply {
  let errors: ValidationErrors = {};
  if (rubyTruthy(payload.is_referred)) {
    const client = tenant.clientsByGlobalId.get(globalId);
    if (client) {
      const referral = buildReferral(state, tenant, payload, caller, globalId, client.id, now);
      errors = saveReferral(state, tenant, referral);
      const linkStatuses = OSCAR_UPSERT_REFERRAL_STATUSES as readonly unknown[];
      if (Object.keys(errors).length === 0 && linkStatuses.includes(payload.referral_status)) {
        const identity = ensureGlobalIdentity(state, globalId);
        if (!identity.external_systems.includes(caller.systemName))
          identity.external_systems.push(caller.systemName);
      }
    }
  }
  if (Object.keys(errors).length > 0) {
    return { status: 422, body: { external_id: asText(payload.external_id), message: errors } };
  }
  return renderClientData(state, tenant, globalId, payload, caller, now);
}

/**
 * Branch 3 (find_referral, organizations_controller.rb l.216-250): no global_id, or one OSCaR
 * does not know. Referral.get_referral_attribute runs first (l.219) and, without a global_id,
 * creates a GlobalIdentity on the spot (referral.rb l.86): every such request mints a new identity,
 * whether the referral is then saved, refused or found ("Record was found."). Referrals are matched
 * by external_id with find_by: the first one (l.220).
 */
function upsertByReferral(
  state: OscarState,
  tenant: Tenant,
  payload: Payload,
  caller: Caller,
  now: Date,
): EmulatorReply {
  const externalId = asText(payload.external_id);
  const givenGlobalId = asText(payload.global_id);
  let mintedGlobalId: string | null = null;
  if (!givenGlobalId) {
    mintedGlobalId = newUlid(now);
    ensureGlobalIdentity(state, mintedGlobalId);
  }
  const existing = externalId ? tenant.referralsByExternalId.get(externalId)?.[0] : undefined;
  if (existing && existing.client_id !== null) {
    const errors: Record<string, string> = {};
    if (!givenGlobalId) {
      errors.global_id = 'global_id must exist.';
      errors.referral_status = 'referral_status must be present.';
    }
    return { status: 422, body: { external_id: externalId, message: 'Record was found.', errors } };
  }
  const clientGlobalId = existing ? existing.client_global_id : (givenGlobalId ?? mintedGlobalId);
  const referral = buildReferral(state, tenant, payload, caller, clientGlobalId, null, now);
  const errors = validateReferral(referral);
  if (Object.keys(errors).length > 0)
    return { status: 422, body: { external_id: externalId, message: errors } };
  addReferral(state, tenant, referral, { createIdentity: false });
  // l.225-226: the identity of a global_id OSCaR does not know is looked up after the save and
  // is nil: the referral stays saved and the request ends in a 500.
  if (!existing && clientGlobalId && !state.globalIdentities.has(clientGlobalId))
    throw new OscarServerError("undefined method `external_system_global_identities' for nil");
  return { status: 200, body: { external_id: externalId, message: RECORD_SAVED } };
}

export function upsertClient(
  state: OscarState,
  body: unknown,
  caller: Caller,
  now: Date,
): EmulatorReply {
  const raw =
    typeof body === 'object' && body !== null ? (body as Payload).organization : undefined;
  if (
    typeof raw !== 'object' ||
    raw === null ||
    Array.isArray(raw) ||
    !present((raw as Payload).organization_name)
  ) {
    return { status: 422, body: { message: RECORD_ERROR } };
  }
  const payload = pickPermittedUpsertFields(raw as Payload);
  const tenant = tenantFor(state, String(payload.organization_name));
  const globalId = asText(payload.global_id);
  if (globalId && state.globalIdentities.has(globalId)) {
    return upsertKnownIdentity(state, tenant, globalId, payload, caller, now);
  }
  return upsertByReferral(state, tenant, payload, caller, now);
}
