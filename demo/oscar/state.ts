// The OSCaR emulator's world: tenants (one per NGO), the service catalogue, clients, referrals,
// global identities, the external system and admin users. Records keep OSCaR's own field names;
// the Maps beside them are indexes so that 50 000 clients stay cheap to look up.
// The seed format is documented in demo/README.md ("OSCaR").
import { OSCAR_LEVELS_OF_RISK, OSCAR_REFERRAL_STATUSES } from '../../src/model/oscar.ts';

export interface AdminUser {
  id: number;
  email: string;
  password: string;
  first_name: string;
  last_name: string;
}

export interface ExternalSystem {
  name: string;
  /** OSCaR finds the calling system by `token == current admin user's email`. */
  token: string;
}

export interface CatalogueService {
  uuid: string;
  name: string;
}

export interface CaseWorker {
  name: string;
  mobile: string;
}

export interface ProgramEnrollment {
  program_name: string;
  enrollment_date: string | null;
  /** Catalogue uuids of the program stream's services. */
  services: string[];
}

export interface Client {
  id: number;
  slug: string;
  global_id: string | null;
  external_id: string | null;
  external_id_display: string | null;
  mosvy_number: string | null;
  given_name: string | null;
  family_name: string | null;
  local_given_name: string | null;
  local_family_name: string | null;
  gender: string | null;
  date_of_birth: string | null;
  province_code: string | null;
  district_code: string | null;
  commune_code: string | null;
  village_code: string | null;
  status: string;
  referred_external: boolean;
  reason_for_referral: string | null;
  reason_for_exiting: string | null;
  external_case_worker_name: string | null;
  external_case_worker_id: string | null;
  case_workers: CaseWorker[];
  program_enrollments: ProgramEnrollment[];
  synced_date: string | null;
  /** acts_as_paranoid: a deleted client keeps its row (and shows in Part B of the listing). */
  deleted_at: string | null;
  /** ISO-8601 UTC, normalised on load so that string order is time order. */
  created_at: string;
  updated_at: string;
}

export interface Referral {
  id: number;
  /** Null until the NGO accepts the referral and a client exists. */
  client_id: number | null;
  client_global_id: string | null;
  external_id: string | null;
  external_id_display: string | null;
  mosvy_number: string | null;
  client_name: string | null;
  client_gender: string | null;
  client_date_of_birth: string | null;
  location_code: string | null;
  ngo_name: string | null;
  referred_from: string | null;
  referred_to: string | null;
  referral_status: string;
  level_of_risk: string | null;
  referral_reason: string | null;
  name_of_referee: string | null;
  referral_phone: string | null;
  date_of_referral: string | null;
  /** Catalogue uuids. */
  services: string[];
  consent_form: string[];
  created_at: string;
  updated_at: string;
}

/** One Apartment tenant: the NGO's schema. Referral and client ids are per tenant, as in OSCaR. */
export interface Tenant {
  id: number;
  short_name: string;
  full_name: string;
  integrated: boolean;
  /** Commune (6) or district (4) code of the NGO's office. */
  address_code: string;
  clients: Client[];
  referrals: Referral[];
  clientsById: Map<number, Client>;
  clientsByGlobalId: Map<string, Client>;
  referralsById: Map<number, Referral>;
  referralsByExternalId: Map<string, Referral[]>;
  referralsByClientId: Map<number, Referral[]>;
  nextClientId: number;
  nextReferralId: number;
}

/** GlobalIdentity + its GlobalIdentityOrganization rows (which tenant holds which client). */
export interface GlobalIdentity {
  ulid: string;
  organizations: Array<{ short_name: string; client_id: number }>;
  /** External systems the ULID was linked to by an upsert. */
  external_systems: string[];
}

export interface Session {
  uid: string;
  client: string;
  token: string;
  /** Unix seconds, as DTA's `expiry` header. */
  expiry: number;
}

export interface OscarState {
  adminUsers: AdminUser[];
  externalSystems: ExternalSystem[];
  services: CatalogueService[];
  servicesByName: Map<string, CatalogueService>;
  servicesByUuid: Map<string, CatalogueService>;
  tenants: Tenant[];
  tenantsByShortName: Map<string, Tenant>;
  globalIdentities: Map<string, GlobalIdentity>;
  /** Keyed by access token. Never exported. */
  sessions: Map<string, Session>;
  /** ISO instant the emulator reports as "now", or null for the real clock. */
  fixedNow: string | null;
}

export function emptyOscarState(): OscarState {
  return {
    adminUsers: [],
    externalSystems: [],
    services: [],
    servicesByName: new Map(),
    servicesByUuid: new Map(),
    tenants: [],
    tenantsByShortName: new Map(),
    globalIdentities: new Map(),
    sessions: new Map(),
    fixedNow: null,
  };
}

export function nowOf(state: OscarState): Date {
  return state.fixedNow ? new Date(state.fixedNow) : new Date();
}

export function addTenant(
  state: OscarState,
  org: Pick<Tenant, 'id' | 'short_name' | 'full_name' | 'integrated' | 'address_code'>,
): Tenant {
  const tenant: Tenant = {
    ...org,
    clients: [],
    referrals: [],
    clientsById: new Map(),
    clientsByGlobalId: new Map(),
    referralsById: new Map(),
    referralsByExternalId: new Map(),
    referralsByClientId: new Map(),
    nextClientId: 1,
    nextReferralId: 1,
  };
  state.tenants.push(tenant);
  state.tenantsByShortName.set(tenant.short_name, tenant);
  return tenant;
}

export function ensureGlobalIdentity(state: OscarState, ulid: string): GlobalIdentity {
  let identity = state.globalIdentities.get(ulid);
  if (!identity) {
    identity = { ulid, organizations: [], external_systems: [] };
    state.globalIdentities.set(ulid, identity);
  }
  return identity;
}

export function addClient(state: OscarState, tenant: Tenant, client: Client): Client {
  tenant.clients.push(client);
  tenant.clientsById.set(client.id, client);
  tenant.nextClientId = Math.max(tenant.nextClientId, client.id + 1);
  if (client.global_id) {
    tenant.clientsByGlobalId.set(client.global_id, client);
    const identity = ensureGlobalIdentity(state, client.global_id);
    if (!identity.organizations.some((o) => o.short_name === tenant.short_name)) {
      identity.organizations.push({ short_name: tenant.short_name, client_id: client.id });
    }
  }
  return client;
}

function pushIndexed<K>(index: Map<K, Referral[]>, key: K, referral: Referral): void {
  const list = index.get(key);
  if (list) list.push(referral);
  else index.set(key, [referral]);
}

export function addReferral(
  state: OscarState,
  tenant: Tenant,
  referral: Referral,
  options: { createIdentity?: boolean } = {},
): Referral {
  tenant.referrals.push(referral);
  tenant.referralsById.set(referral.id, referral);
  tenant.nextReferralId = Math.max(tenant.nextReferralId, referral.id + 1);
  if (referral.external_id)
    pushIndexed(tenant.referralsByExternalId, referral.external_id, referral);
  if (referral.client_id !== null)
    pushIndexed(tenant.referralsByClientId, referral.client_id, referral);
  // A seeded referral implies its identity; a saved one never creates it (the API path decides).
  if (referral.client_global_id && options.createIdentity !== false)
    ensureGlobalIdentity(state, referral.client_global_id);
  return referral;
}

/** Gives a referral its client (when the NGO accepts it) and keeps the index in step. */
export function attachReferralToClient(tenant: Tenant, referral: Referral, client: Client): void {
  if (referral.client_id === client.id) return;
  referral.client_id = client.id;
  pushIndexed(tenant.referralsByClientId, client.id, referral);
}

/** Referrals of a client that came from / go to the external system, oldest first. */
export function externalReferralsOf(
  tenant: Tenant,
  client: Client,
  systemName: string,
): Referral[] {
  const all = tenant.referralsByClientId.get(client.id) ?? [];
  return all.filter((r) => r.ngo_name === systemName).sort((a, b) => a.id - b.id);
}

// ---------------------------------------------------------------------------------------------
// Seed loading: every entry is checked, and an error names the entry and the field.

type Json = Record<string, unknown>;

class SeedError extends Error {}

function obj(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SeedError(`${where} must be an object`);
  }
  return value as Json;
}

function list(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new SeedError(`${where} must be an array`);
  return value;
}

function str(record: Json, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '')
    throw new SeedError(`${where}.${key} must be a non-empty string`);
  return value;
}

function optStr(record: Json, key: string, where: string): string | null {
  const value = record[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new SeedError(`${where}.${key} must be a string or null`);
  return value;
}

function int(record: Json, key: string, where: string, fallback?: number): number {
  const value = record[key];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new SeedError(`${where}.${key} must be an integer`);
  return value;
}

function timestamp(record: Json, key: string, where: string, fallback: string): string {
  const value = record[key];
  if (value === undefined || value === null) return fallback;
  const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(parsed)) throw new SeedError(`${where}.${key} must be an ISO-8601 timestamp`);
  return new Date(parsed).toISOString();
}

function oneOf(value: string | null, allowed: readonly string[], where: string): string | null {
  if (value !== null && !allowed.includes(value)) {
    throw new SeedError(`${where} must be one of ${allowed.join(', ')}`);
  }
  return value;
}

function serviceUuids(state: OscarState, value: unknown, where: string): string[] {
  return list(value, where).map((entry, index) => {
    if (typeof entry !== 'string' || !state.servicesByUuid.has(entry)) {
      throw new SeedError(`${where}[${index}] must be the uuid of a service in "services"`);
    }
    return entry;
  });
}

function loadClient(
  state: OscarState,
  tenant: Tenant,
  raw: unknown,
  where: string,
  loadedAt: string,
): Client {
  const c = obj(raw, where);
  const id = int(c, 'id', where, tenant.nextClientId);
  if (tenant.clientsById.has(id))
    throw new SeedError(`${where}.id ${id} is used twice in tenant ${tenant.short_name}`);
  const globalId = optStr(c, 'global_id', where);
  if (globalId && tenant.clientsByGlobalId.has(globalId)) {
    throw new SeedError(
      `${where}.global_id ${globalId} is used twice in tenant ${tenant.short_name}`,
    );
  }
  const created = timestamp(c, 'created_at', where, loadedAt);
  const caseWorkers = list(c.case_workers, `${where}.case_workers`).map((w, i) => {
    const worker = obj(w, `${where}.case_workers[${i}]`);
    return {
      name: str(worker, 'name', `${where}.case_workers[${i}]`),
      mobile: optStr(worker, 'mobile', `${where}.case_workers[${i}]`) ?? '',
    };
  });
  const enrollments = list(c.program_enrollments, `${where}.program_enrollments`).map((e, i) => {
    const at = `${where}.program_enrollments[${i}]`;
    const enrollment = obj(e, at);
    return {
      program_name: str(enrollment, 'program_name', at),
      enrollment_date: optStr(enrollment, 'enrollment_date', at),
      services: serviceUuids(state, enrollment.services, `${at}.services`),
    };
  });
  const status = optStr(c, 'status', where) ?? 'Active';
  return {
    id,
    slug: optStr(c, 'slug', where) ?? `${tenant.short_name}-${id}`,
    global_id: globalId,
    external_id: optStr(c, 'external_id', where),
    external_id_display: optStr(c, 'external_id_display', where),
    mosvy_number: optStr(c, 'mosvy_number', where),
    given_name: optStr(c, 'given_name', where),
    family_name: optStr(c, 'family_name', where),
    local_given_name: optStr(c, 'local_given_name', where),
    local_family_name: optStr(c, 'local_family_name', where),
    gender: optStr(c, 'gender', where),
    date_of_birth: optStr(c, 'date_of_birth', where),
    province_code: optStr(c, 'province_code', where),
    district_code: optStr(c, 'district_code', where),
    commune_code: optStr(c, 'commune_code', where),
    village_code: optStr(c, 'village_code', where),
    status: oneOf(status, OSCAR_REFERRAL_STATUSES, `${where}.status`) ?? 'Active',
    referred_external: c.referred_external === true,
    reason_for_referral: optStr(c, 'reason_for_referral', where),
    reason_for_exiting: optStr(c, 'reason_for_exiting', where),
    external_case_worker_name: optStr(c, 'external_case_worker_name', where),
    external_case_worker_id: optStr(c, 'external_case_worker_id', where),
    case_workers: caseWorkers,
    program_enrollments: enrollments,
    synced_date: optStr(c, 'synced_date', where),
    deleted_at:
      c.deleted_at === undefined || c.deleted_at === null
        ? null
        : timestamp(c, 'deleted_at', where, loadedAt),
    created_at: created,
    updated_at: timestamp(c, 'updated_at', where, created),
  };
}

function loadReferral(
  state: OscarState,
  tenant: Tenant,
  raw: unknown,
  where: string,
  loadedAt: string,
): Referral {
  const r = obj(raw, where);
  const id = int(r, 'id', where, tenant.nextReferralId);
  if (tenant.referralsById.has(id))
    throw new SeedError(`${where}.id ${id} is used twice in tenant ${tenant.short_name}`);
  const clientId =
    r.client_id === undefined || r.client_id === null ? null : int(r, 'client_id', where);
  if (clientId !== null && !tenant.clientsById.has(clientId)) {
    throw new SeedError(
      `${where}.client_id ${clientId} is not a client of tenant ${tenant.short_name}`,
    );
  }
  const created = timestamp(r, 'created_at', where, loadedAt);
  return {
    id,
    client_id: clientId,
    client_global_id: optStr(r, 'client_global_id', where),
    external_id: optStr(r, 'external_id', where),
    external_id_display: optStr(r, 'external_id_display', where),
    mosvy_number: optStr(r, 'mosvy_number', where),
    client_name: optStr(r, 'client_name', where),
    client_gender: optStr(r, 'client_gender', where),
    client_date_of_birth: optStr(r, 'client_date_of_birth', where),
    location_code: optStr(r, 'location_code', where),
    ngo_name: optStr(r, 'ngo_name', where),
    referred_from: optStr(r, 'referred_from', where),
    referred_to: optStr(r, 'referred_to', where) ?? tenant.short_name,
    referral_status:
      oneOf(
        optStr(r, 'referral_status', where),
        OSCAR_REFERRAL_STATUSES,
        `${where}.referral_status`,
      ) ?? 'Referred',
    level_of_risk: oneOf(
      optStr(r, 'level_of_risk', where),
      OSCAR_LEVELS_OF_RISK,
      `${where}.level_of_risk`,
    ),
    referral_reason: optStr(r, 'referral_reason', where),
    name_of_referee: optStr(r, 'name_of_referee', where),
    referral_phone: optStr(r, 'referral_phone', where),
    // Every saved referral has one (validated): a seed may leave it to the creation day.
    date_of_referral: optStr(r, 'date_of_referral', where) ?? created.slice(0, 10),
    services: serviceUuids(state, r.services, `${where}.services`),
    consent_form: list(r.consent_form, `${where}.consent_form`).map(String),
    created_at: created,
    updated_at: timestamp(r, 'updated_at', where, created),
  };
}

/** Builds the state from a seed (format in demo/README.md); throws naming the bad entry. */
export function loadOscarSeed(seed: unknown): OscarState {
  const state = emptyOscarState();
  const root = obj(seed, 'seed');
  const loadedAt = new Date().toISOString();
  if (root.now !== undefined && root.now !== null)
    state.fixedNow = timestamp(root, 'now', 'seed', loadedAt);

  list(root.admin_users, 'admin_users').forEach((raw, i) => {
    const where = `admin_users[${i}]`;
    const u = obj(raw, where);
    state.adminUsers.push({
      id: int(u, 'id', where, i + 1),
      email: str(u, 'email', where),
      password: str(u, 'password', where),
      first_name: optStr(u, 'first_name', where) ?? '',
      last_name: optStr(u, 'last_name', where) ?? '',
    });
  });
  list(root.external_systems, 'external_systems').forEach((raw, i) => {
    const where = `external_systems[${i}]`;
    const s = obj(raw, where);
    state.externalSystems.push({ name: str(s, 'name', where), token: str(s, 'token', where) });
  });
  list(root.services, 'services').forEach((raw, i) => {
    const where = `services[${i}]`;
    const s = obj(raw, where);
    const service = { uuid: str(s, 'uuid', where), name: str(s, 'name', where) };
    if (state.servicesByUuid.has(service.uuid)) throw new SeedError(`${where}.uuid is used twice`);
    state.services.push(service);
    state.servicesByUuid.set(service.uuid, service);
    // OSCaR looks services up by exact name; the first one of a duplicated name wins.
    if (!state.servicesByName.has(service.name)) state.servicesByName.set(service.name, service);
  });
  list(root.organizations, 'organizations').forEach((raw, i) => {
    const where = `organizations[${i}]`;
    const o = obj(raw, where);
    const shortName = str(o, 'short_name', where);
    if (state.tenantsByShortName.has(shortName))
      throw new SeedError(`${where}.short_name ${shortName} is used twice`);
    const tenant = addTenant(state, {
      id: int(o, 'id', where, i + 1),
      short_name: shortName,
      full_name: optStr(o, 'full_name', where) ?? shortName,
      integrated: o.integrated !== false,
      address_code: optStr(o, 'address_code', where) ?? '',
    });
    list(o.clients, `${where}.clients`).forEach((c, j) => {
      addClient(state, tenant, loadClient(state, tenant, c, `${where}.clients[${j}]`, loadedAt));
    });
    list(o.referrals, `${where}.referrals`).forEach((r, j) => {
      addReferral(
        state,
        tenant,
        loadReferral(state, tenant, r, `${where}.referrals[${j}]`, loadedAt),
      );
    });
  });
  // Identities without any client or referral; the exported state lists them as objects.
  list(root.global_identities, 'global_identities').forEach((raw, i) => {
    const ulid = typeof raw === 'object' && raw !== null ? (raw as Json).ulid : raw;
    if (typeof ulid !== 'string' || ulid === '') {
      throw new SeedError(`global_identities[${i}] must be a ULID string or {"ulid": ...}`);
    }
    ensureGlobalIdentity(state, ulid);
  });
  return state;
}

/**
 * The state in the seed's shape, for GET /__emulator/state. Passwords and sessions are left out:
 * the view is for inspection, so it must not carry secrets.
 */
export function exportOscarState(state: OscarState): unknown {
  return {
    now: state.fixedNow,
    admin_users: state.adminUsers.map(({ password: _password, ...user }) => user),
    external_systems: state.externalSystems,
    services: state.services,
    organizations: state.tenants.map((t) => ({
      id: t.id,
      short_name: t.short_name,
      full_name: t.full_name,
      integrated: t.integrated,
      address_code: t.address_code,
      clients: t.clients,
      referrals: t.referrals,
    })),
    global_identities: [...state.globalIdentities.values()],
  };
}
