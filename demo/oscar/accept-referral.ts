// What an NGO case worker does in OSCaR's UI, for tests and demos: accept a referral (creating the
// client) or edit a client. Served under /__emulator/oscar/ only; the real API has no such call.
import type { CaseWorker, Client, OscarState, ProgramEnrollment, Tenant } from './state.ts';
import { addClient, attachReferralToClient, ensureGlobalIdentity } from './state.ts';
import { addressByCode } from './upsert.ts';

export class AdminRequestError extends Error {}

/** Fields an admin may set on a client; names as in the seed. */
export type ClientChanges = Partial<
  Pick<
    Client,
    | 'given_name'
    | 'family_name'
    | 'local_given_name'
    | 'local_family_name'
    | 'gender'
    | 'date_of_birth'
    | 'province_code'
    | 'district_code'
    | 'commune_code'
    | 'village_code'
    | 'status'
    | 'reason_for_exiting'
    | 'mosvy_number'
    | 'external_id'
    | 'external_id_display'
  > & { case_workers: CaseWorker[]; program_enrollments: ProgramEnrollment[] }
>;

const EDITABLE = new Set([
  'given_name',
  'family_name',
  'local_given_name',
  'local_family_name',
  'gender',
  'date_of_birth',
  'province_code',
  'district_code',
  'commune_code',
  'village_code',
  'status',
  'reason_for_exiting',
  'mosvy_number',
  'external_id',
  'external_id_display',
  'case_workers',
  'program_enrollments',
]);

function tenantNamed(state: OscarState, shortName: unknown): Tenant {
  const tenant =
    typeof shortName === 'string' ? state.tenantsByShortName.get(shortName) : undefined;
  if (!tenant)
    throw new AdminRequestError(
      `unknown organization_name ${String(shortName)}: use a short_name from the seed`,
    );
  return tenant;
}

function applyChanges(state: OscarState, client: Client, changes: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(changes)) {
    if (!EDITABLE.has(key))
      throw new AdminRequestError(
        `client field ${key} cannot be set (editable: ${[...EDITABLE].join(', ')})`,
      );
    if (key === 'program_enrollments') {
      if (!Array.isArray(value))
        throw new AdminRequestError('program_enrollments must be an array');
      for (const enrollment of value as ProgramEnrollment[]) {
        for (const uuid of enrollment.services ?? []) {
          if (!state.servicesByUuid.has(uuid))
            throw new AdminRequestError(`service uuid ${uuid} is not in the catalogue`);
        }
      }
    }
    (client as unknown as Record<string, unknown>)[key] = value;
  }
}

/**
 * The NGO accepts referral `referral_id` of tenant `organization_name`: a client is created from
 * it (status Accepted; external_id copied from the referral) and linked to the referral's GlobalIdentity.
 */
export function acceptReferral(state: OscarState, body: unknown, now: Date): Client {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const tenant = tenantNamed(state, input.organization_name);
  const referral = tenant.referralsById.get(Number(input.referral_id));
  if (!referral)
    throw new AdminRequestError(
      `referral ${String(input.referral_id)} not found in ${tenant.short_name}`,
    );
  if (referral.client_id !== null)
    throw new AdminRequestError(`referral ${referral.id} is already accepted`);
  const globalId = referral.client_global_id;
  if (!globalId) throw new AdminRequestError(`referral ${referral.id} has no client_global_id`);
  if (tenant.clientsByGlobalId.has(globalId))
    throw new AdminRequestError(`a client with ${globalId} already exists`);
  // clients_controller.rb `new` (l.141-155): given = first word of client_name, family = second.
  const [given = null, family = null] = (referral.client_name ?? '').split(' ').filter(Boolean);
  const stamp = now.toISOString();
  const id = tenant.nextClientId;
  const client: Client = {
    id,
    slug: `${tenant.short_name}-${id}`,
    global_id: globalId,
    external_id: referral.external_id,
    external_id_display: referral.external_id_display,
    mosvy_number: referral.mosvy_number,
    given_name: given,
    family_name: family,
    local_given_name: null,
    local_family_name: null,
    gender: referral.client_gender,
    date_of_birth: referral.client_date_of_birth,
    province_code: null,
    district_code: null,
    commune_code: null,
    village_code: null,
    status: 'Accepted',
    // Only an NGO referring a client OUT to an external system sets referred_external
    // (referrals_controller.rb l.27): a child accepted from a MoSVY referral is listed in Part B.
    referred_external: false,
    reason_for_referral: referral.referral_reason,
    reason_for_exiting: null,
    external_case_worker_name: referral.name_of_referee,
    external_case_worker_id: null,
    case_workers: [],
    program_enrollments: [],
    synced_date: null,
    deleted_at: null,
    created_at: stamp,
    updated_at: stamp,
  };
  if (referral.location_code) Object.assign(client, addressByCode(referral.location_code));
  applyChanges(state, client, (input.client ?? {}) as Record<string, unknown>);
  addClient(state, tenant, client);
  ensureGlobalIdentity(state, globalId);
  // Every referral of this child to this NGO now belongs to the client.
  for (const other of tenant.referrals) {
    if (other.client_global_id === globalId && other.client_id === null)
      attachReferralToClient(tenant, other, client);
  }
  referral.referral_status = 'Accepted';
  referral.updated_at = stamp;
  return client;
}

/** An NGO edit of client `global_id`: sets the given fields and stamps updated_at. */
export function editClient(state: OscarState, globalId: string, body: unknown, now: Date): Client {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const identity = state.globalIdentities.get(globalId);
  const holder = identity?.organizations[0];
  const client = holder
    ? state.tenantsByShortName.get(holder.short_name)?.clientsById.get(holder.client_id)
    : undefined;
  if (!client) throw new AdminRequestError(`no client has global_id ${globalId}`);
  const { updated_at: updatedAt, ...changes } = input;
  applyChanges(state, client, changes);
  client.updated_at =
    typeof updatedAt === 'string' ? new Date(updatedAt).toISOString() : now.toISOString();
  return client;
}
