// PUT /api/v1/organizations/referrals/update_statuses (apis.md §3.2 O5; oscar-web
// app/controllers/api/v1/organizations_controller.rb `update_referral_status` l.165-192).
// Per item: the tenant of the FIRST organisation holding the global id, then the referral with
// that per-tenant integer id there, saved with every Referral validation. Not transactional: items
// before a failing one stay updated.
import type { OscarState } from './state.ts';
import type { EmulatorReply } from './upsert.ts';
import { OscarServerError, RECORD_ERROR, RECORD_SAVED, validateReferral } from './upsert.ts';

class ItemError extends Error {}

const STATUS_SENTENCE = "Referral status must be one of ['Accepted', 'Exited', 'Referred'].";

/** Rails' full_messages: "Level of risk can't be blank". */
function fullMessages(errors: Record<string, string[]>): string[] {
  return Object.entries(errors).flatMap(([field, messages]) => {
    const label = field.replace(/_/g, ' ');
    const human = label.charAt(0).toUpperCase() + label.slice(1);
    return messages.map((message) => `${human} ${message}`);
  });
}

export function updateStatuses(state: OscarState, body: unknown, now: Date): EmulatorReply {
  const data =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).data : undefined;
  // `data.each` on nil is a NoMethodError, which the action does not rescue: a 500.
  if (!Array.isArray(data)) throw new OscarServerError("undefined method `each' for nil:NilClass");
  try {
    for (const item of data) {
      const update = (typeof item === 'object' && item !== null ? item : {}) as Record<
        string,
        unknown
      >;
      const globalId = update.client_global_id;
      const identity =
        typeof globalId === 'string' ? state.globalIdentities.get(globalId) : undefined;
      const holder = identity?.organizations[0];
      if (!holder) throw new ItemError('ActiveRecord::RecordNotFound');
      const tenant = state.tenantsByShortName.get(holder.short_name);
      const referralId = Number(update.referral_id);
      const referral = Number.isInteger(referralId)
        ? tenant?.referralsById.get(referralId)
        : undefined;
      if (!referral)
        throw new ItemError(`Couldn't find Referral with 'id'=${String(update.referral_id)}`);
      const changed = { ...referral, referral_status: String(update.referral_status ?? '') };
      const errors = validateReferral(changed, holder.short_name);
      if (Object.keys(errors).length > 0) {
        // l.182: the status sentence is appended whatever the failing validation was.
        throw new ItemError([...fullMessages(errors), STATUS_SENTENCE].join('. '));
      }
      referral.referral_status = changed.referral_status;
      referral.updated_at = now.toISOString();
    }
  } catch (error) {
    if (!(error instanceof ItemError)) throw error;
    return { status: 422, body: { error: error.message, message: RECORD_ERROR } };
  }
  return { status: 200, body: { message: RECORD_SAVED } };
}
