// PUT /api/v1/organizations/referrals/update_statuses (apis.md §2.5). Not transactional: items
// before a failing one stay updated, exactly like OSCaR.
import { OSCAR_REFERRAL_STATUSES } from '../../src/model/oscar.ts';
import type { OscarState } from './state.ts';
import type { EmulatorReply } from './upsert.ts';
import { RECORD_ERROR, RECORD_SAVED } from './upsert.ts';

class ItemError extends Error {}

export function updateStatuses(state: OscarState, body: unknown, now: Date): EmulatorReply {
  try {
    const data =
      typeof body === 'object' && body !== null
        ? (body as Record<string, unknown>).data
        : undefined;
    if (!Array.isArray(data)) throw new ItemError("undefined method `each' for nil:NilClass");
    for (const item of data) {
      const update = (typeof item === 'object' && item !== null ? item : {}) as Record<
        string,
        unknown
      >;
      const globalId = update.client_global_id;
      const identity =
        typeof globalId === 'string' ? state.globalIdentities.get(globalId) : undefined;
      const holder = identity?.organizations[0];
      if (!holder)
        throw new ItemError(
          `Couldn't find GlobalIdentityOrganization with client_global_id=${String(globalId)}`,
        );
      const tenant = state.tenantsByShortName.get(holder.short_name);
      const referralId = Number(update.referral_id);
      const referral = Number.isInteger(referralId)
        ? tenant?.referralsById.get(referralId)
        : undefined;
      if (!referral)
        throw new ItemError(`Couldn't find Referral with 'id'=${String(update.referral_id)}`);
      const status = update.referral_status;
      if (
        typeof status !== 'string' ||
        !(OSCAR_REFERRAL_STATUSES as readonly string[]).includes(status)
      ) {
        throw new ItemError(
          "Validation failed: Referral status must be one of ['Accepted', 'Exited', 'Referred'].",
        );
      }
      referral.referral_status = status;
      referral.updated_at = now.toISOString();
    }
  } catch (error) {
    if (!(error instanceof ItemError)) throw error;
    return { status: 422, body: { error: error.message, message: RECORD_ERROR } };
  }
  return { status: 200, body: { message: RECORD_SAVED } };
}
