// PUT /api/v1/organizations/clients/update_links (apis.md §2.4).
import type { OscarState } from './state.ts';
import type { EmulatorReply } from './upsert.ts';
import { OscarServerError, RECORD_SAVED } from './upsert.ts';

export function updateLinks(state: OscarState, body: unknown, now: Date): EmulatorReply {
  const data =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).data : undefined;
  // The controller meant to answer 422 here but references an undefined local: a 500.
  if (!Array.isArray(data))
    throw new OscarServerError("undefined local variable or method `client'");
  const today = now.toISOString().slice(0, 10);
  for (const item of data) {
    if (typeof item !== 'object' || item === null) continue;
    const link = item as Record<string, unknown>;
    const identity =
      typeof link.global_id === 'string' ? state.globalIdentities.get(link.global_id) : undefined;
    // Unknown global_ids are skipped silently, as in OSCaR.
    for (const holder of identity?.organizations ?? []) {
      const client = state.tenantsByShortName
        .get(holder.short_name)
        ?.clientsById.get(holder.client_id);
      if (!client) continue;
      // update_columns: no validation and, unlike a save, updated_at is NOT touched, so the
      // client does not reappear in a since_date listing because of this write.
      client.external_id = link.external_id == null ? null : String(link.external_id);
      client.external_id_display =
        link.external_id_display == null ? null : String(link.external_id_display);
      client.synced_date = today;
    }
  }
  return { status: 200, body: { message: RECORD_SAVED } };
}
