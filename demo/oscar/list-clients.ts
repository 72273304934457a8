// GET /api/v1/organizations/clients (apis.md §2.2): every integrated tenant, referred clients
// (Part A, OrganizationClientSerializer, full-timestamp since_date) then all others (Part B,
// ClientShareExternalSerializer, DATE-only since_date). One pass per tenant: linear in clients.
import type { Client, OscarState, Referral, Tenant } from './state.ts';
import { externalReferralsOf } from './state.ts';

export interface Caller {
  /** The ExternalSystem whose token is the signed-in admin's email. */
  systemName: string;
  uid: string;
}

/** `since_date` as Ruby's Time.parse reads it, with the server zone taken as UTC. */
export interface SinceDate {
  instantMs: number;
  /** The calendar date as written: Part B's SQL compares `DATE(created_at) >= '<t>'`. */
  date: string;
}

export class UnparseableTimeError extends Error {}

const TIME_PATTERN =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i;

export function parseSinceDate(raw: string): SinceDate {
  const match = TIME_PATTERN.exec(raw.trim());
  if (!match) throw new UnparseableTimeError('since_date is not a time OSCaR can parse');
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = ''] = match;
  const date = `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z' && zone.toUpperCase() !== 'UTC') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(utc)) throw new UnparseableTimeError('since_date is not a time OSCaR can parse');
  const ms = frac ? Math.round(Number(frac) * 1000) : 0;
  return { instantMs: utc + ms - offsetMinutes * 60_000, date };
}

const blank = (value: string | null | undefined) =>
  value === null || value === undefined || value.trim() === '';

/**
 * Clients missing these are never returned by either part (organizations_controller.rb l.294:
 * given or local given name, family or local family name, gender, birth date).
 */
export function passesBaseFilter(client: Client): boolean {
  return (
    !(blank(client.given_name) && blank(client.local_given_name)) &&
    !(blank(client.family_name) && blank(client.local_family_name)) &&
    !blank(client.gender) &&
    client.date_of_birth !== null &&
    client.date_of_birth !== ''
  );
}

/** Most precise address code: village (8) → commune (6) → district (4) → province (2), or ''. */
export function mostPreciseLocationCode(client: Client): string {
  return (
    client.village_code ?? client.commune_code ?? client.district_code ?? client.province_code ?? ''
  );
}

export interface SerializedService {
  program_name: string | null;
  enrollment_date: string | null;
  uuid: string;
  name: string;
  referral_id?: number;
  referral_status?: string;
}

function relatedServices(
  state: OscarState,
  referrals: Referral[],
  client: Client,
): SerializedService[] {
  const services: SerializedService[] = [];
  for (const enrollment of client.program_enrollments) {
    for (const uuid of enrollment.services) {
      const service = state.servicesByUuid.get(uuid);
      if (!service) continue;
      services.push({
        program_name: enrollment.program_name,
        enrollment_date: enrollment.enrollment_date,
        uuid: service.uuid,
        name: service.name,
      });
    }
  }
  for (const referral of referrals) {
    for (const uuid of referral.services) {
      const service = state.servicesByUuid.get(uuid);
      if (!service) continue;
      services.push({
        program_name: null,
        enrollment_date: null,
        uuid: service.uuid,
        name: service.name,
        referral_id: referral.id,
        referral_status: referral.referral_status,
      });
    }
  }
  return services;
}

function isReferredBy(state: OscarState, referrals: Referral[], caller: Caller): boolean {
  const last = referrals[referrals.length - 1];
  if (!last) return false;
  const system = state.externalSystems.find((s) => s.name === last.ngo_name);
  return system?.token === caller.uid;
}

function caseWorkerNames(client: Client): string {
  return client.case_workers.map((w) => w.name).join(', ');
}

function caseWorkerMobiles(client: Client): string {
  return client.case_workers.map((w) => w.mobile).join(', ');
}

/** Part A: OrganizationClientSerializer. No `resource`, no local names. */
export function serializeReferredClient(
  state: OscarState,
  tenant: Tenant,
  client: Client,
  referrals: Referral[],
  caller: Caller,
): Record<string, unknown> {
  const last = referrals[referrals.length - 1];
  const location = mostPreciseLocationCode(client);
  return {
    slug: client.slug,
    global_id: client.global_id,
    external_id: client.external_id,
    external_id_display: client.external_id_display,
    mosvy_number: client.mosvy_number,
    given_name: blank(client.given_name) ? client.local_given_name : client.given_name,
    family_name: blank(client.family_name) ? client.local_family_name : client.family_name,
    gender: client.gender,
    date_of_birth: client.date_of_birth,
    location_current_village_code: location,
    address_current_village_code: location,
    organization_id: tenant.id,
    organization_name: tenant.short_name,
    external_case_worker_name: client.external_case_worker_name,
    external_case_worker_id: client.external_case_worker_id,
    reason_for_referral: last?.referral_reason || client.reason_for_referral || '',
    status: client.status,
    case_worker_name: caseWorkerNames(client),
    case_worker_mobile: caseWorkerMobiles(client),
    is_referred: isReferredBy(state, referrals, caller),
    referral_consent_form: last?.consent_form ?? [],
    organization_address_code: tenant.address_code,
    level_of_risk: last?.level_of_risk ?? '',
    services: relatedServices(state, referrals, client),
  };
}

/** Part B: ClientShareExternalSerializer. `resource` and services only once external_id is set. */
export function serializeSharedClient(
  state: OscarState,
  tenant: Tenant,
  client: Client,
  referrals: Referral[],
  caller: Caller,
): Record<string, unknown> {
  const linked = !blank(client.external_id);
  return {
    given_name: client.given_name,
    family_name: client.family_name,
    local_given_name: client.local_given_name,
    local_family_name: client.local_family_name,
    gender: client.gender,
    date_of_birth: client.date_of_birth,
    global_id: client.global_id,
    slug: client.slug,
    external_id: client.external_id ?? '',
    external_id_display: client.external_id_display ?? '',
    status: client.status,
    mosvy_number: client.mosvy_number ?? '',
    location_current_village_code: mostPreciseLocationCode(client),
    case_worker_name: caseWorkerNames(client),
    case_worker_mobile: caseWorkerMobiles(client),
    is_referred: isReferredBy(state, referrals, caller),
    organization_name: tenant.short_name,
    organization_address_code: tenant.address_code,
    resource: linked ? 'primero' : null,
    services: linked ? relatedServices(state, referrals, client) : [],
  };
}

const byUpdatedDesc = (a: Client, b: Client) =>
  a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0;

export interface ListQuery {
  sinceDate?: string;
  endDate?: string;
}

/** The whole response `data` array. Throws UnparseableTimeError where OSCaR answers 500. */
export function listClients(
  state: OscarState,
  caller: Caller,
  query: ListQuery,
): Array<Record<string, unknown>> {
  const since = query.sinceDate !== undefined ? parseSinceDate(query.sinceDate) : undefined;
  if (query.endDate !== undefined) {
    // Time.parse(nil) raises in OSCaR too.
    if (!since) throw new UnparseableTimeError('end_date needs since_date');
    return listHistorical(state, caller, since, parseSinceDate(query.endDate));
  }
  const out: Array<Record<string, unknown>> = [];
  for (const tenant of state.tenants) {
    if (!tenant.integrated) continue;
    const referred: Array<[Client, Referral[]]> = [];
    const shared: Array<[Client, Referral[]]> = [];
    for (const client of tenant.clients) {
      if (!passesBaseFilter(client)) continue;
      const referrals = externalReferralsOf(tenant, client, caller.systemName);
      // Part A goes through the Client model (acts_as_paranoid hides deleted clients); Part B is
      // raw SQL with no deleted_at condition, so a deleted client is listed there, unflagged.
      if (client.referred_external && referrals.length > 0 && client.deleted_at === null) {
        if (
          since &&
          !(
            Date.parse(client.created_at) >= since.instantMs ||
            Date.parse(client.updated_at) >= since.instantMs
          )
        ) {
          continue;
        }
        referred.push([client, referrals]);
      } else {
        // ISO-8601 UTC strings: the first 10 characters are the UTC calendar date.
        if (
          since &&
          !(
            client.created_at.slice(0, 10) >= since.date ||
            client.updated_at.slice(0, 10) >= since.date
          )
        ) {
          continue;
        }
        shared.push([client, referrals]);
      }
    }
    referred.sort(([a], [b]) => byUpdatedDesc(a, b));
    shared.sort(([a], [b]) => byUpdatedDesc(a, b));
    for (const [client, referrals] of referred)
      out.push(serializeReferredClient(state, tenant, client, referrals, caller));
    for (const [client, referrals] of shared)
      out.push(serializeSharedClient(state, tenant, client, referrals, caller));
  }
  return out;
}

function listHistorical(
  state: OscarState,
  caller: Caller,
  since: SinceDate,
  end: SinceDate,
): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const tenant of state.tenants) {
    if (!tenant.integrated) continue;
    const matching = tenant.clients.filter((client) => {
      if (!passesBaseFilter(client)) return false;
      const created = Date.parse(client.created_at);
      return created >= since.instantMs && created <= end.instantMs;
    });
    matching.sort((a, b) =>
      a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0,
    );
    for (const client of matching) {
      const referrals = externalReferralsOf(tenant, client, caller.systemName);
      out.push(serializeSharedClient(state, tenant, client, referrals, caller));
    }
  }
  return out;
}
