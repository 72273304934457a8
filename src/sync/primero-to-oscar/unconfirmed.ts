// Referrals whose upsert OSCaR did not confirm (no answer, 500/502/504 after the write) are never
// sent again automatically: OSCaR cannot tell a re-sent referral from a new one (apis.md §2.3).
// Instead each later run of f1-j2 checks them against OSCaR's own client listing and settles the
// ones OSCaR lists as landed, so only the ones OSCaR does not show wait for an operator.
//
// OSCaR has no read of one referral or one client by Primero id (apis.md §2.2, §2.6), so the
// check reads the full listing once per run, and only while there is something to settle. A
// referral shows in the listing as a `services[]` entry carrying its OSCaR `referral_id`
// (organization_serializer_concern.rb, related_services) on the client that holds it:
// - a child OSCaR already knew: its client in the receiving NGO, at once;
// - a new child: only once the NGO accepted the referral and OSCaR created the client from it
//   (external_id copied from the referral, clients_controller.rb `new`). Until then nothing in
//   OSCaR's API shows it, and it waits as a dead letter; the next run after the acceptance
//   settles it without anyone's help.
import type { OscarClientList } from '../../clients/oscar.ts';
import type { OscarClientRecord } from '../../model/oscar.ts';
import type { CarriedState, FailedItem, SentRecord } from '../../workflow/contract.ts';
import type { OscarUpsertPayload } from '../../model/oscar.ts';
import type { ReferralToOscar } from '../primero-to-oscar.ts';
import { UNCONFIRMED_SEND, toOscarReferral } from '../primero-to-oscar.ts';
import { referralSentKey } from './sent-ledger.ts';

/** A referral in doubt and what the listing must show for it to count as landed. */
export interface UnconfirmedReferral {
  key: string;
  sentKey: string;
  ids: ReferralToOscar['ids'];
  /** The NGO the upsert went to (organization_name). */
  organisation: string;
  /** The OSCaR service name the upsert asked for. */
  service: string;
  /** The OSCaR global id sent with it, for a child OSCaR already knew. */
  globalId?: string;
}

/**
 * The ids an unconfirmed referral's failure carries besides the Primero ones: where it went and
 * what it asked for, so a later run can look for it in the listing. Ids, never values of a child.
 */
export function unconfirmedIds(
  item: Pick<ReferralToOscar, 'ids'>,
  payload: Pick<OscarUpsertPayload, 'organization_name' | 'services' | 'global_id'>,
): Record<string, string> {
  const service = payload.services?.[0]?.name;
  return {
    ...item.ids,
    organisation: payload.organization_name,
    ...(service ? { oscar_service: service } : {}),
    ...(payload.global_id ? { global_id: payload.global_id } : {}),
  };
}

const isReferralLetter = (item: FailedItem) =>
  item.step === 'f1-j2' && item.kind === 'referral' && item.ids.referral_id !== undefined;

const isUnconfirmedLetter = (item: FailedItem, sent: ReadonlyMap<string, SentRecord>) =>
  isReferralLetter(item) &&
  sent.get(referralSentKey(item.ids.referral_id!))?.value === UNCONFIRMED_SEND;

/** The ledger keys referralsInDoubt consults: the record of each referral dead letter. */
export const deadLetterSentKeys = (carried: Pick<CarriedState, 'deadLetters'>): string[] =>
  carried.deadLetters
    .filter(isReferralLetter)
    .map((item) => referralSentKey(item.ids.referral_id!));

function fromLetter(item: FailedItem): UnconfirmedReferral | undefined {
  const { case_id, primero_id, service_id, referral_id, organisation, oscar_service } = item.ids;
  // A dead letter written before these ids were kept cannot be looked for: it stays as it is.
  if (!case_id || !primero_id || !service_id || !referral_id || !organisation || !oscar_service)
    return undefined;
  return {
    key: item.key,
    sentKey: referralSentKey(referral_id),
    ids: { case_id, primero_id, service_id, referral_id },
    organisation,
    service: oscar_service,
    ...(item.ids.global_id ? { globalId: item.ids.global_id } : {}),
  };
}

/**
 * The ids of `item`'s failure when its payload is not at hand (a run that lost the answer failed
 * before dead-lettering it): the payload it was sent with, built again from the same case.
 */
export function unconfirmedIdsOf(
  item: ReferralToOscar,
  payload?: OscarUpsertPayload,
): Record<string, string> {
  if (payload) return unconfirmedIds(item, payload);
  try {
    return unconfirmedIds(item, toOscarReferral(item));
  } catch {
    return item.ids; // it could not have been sent as it stands: nothing to look for
  }
}

function fromSelected(item: ReferralToOscar): UnconfirmedReferral | undefined {
  const ids = unconfirmedIdsOf(item);
  return fromLetter({
    key: item.key,
    step: 'f1-j2',
    kind: 'referral',
    ids,
    reason: '',
    attempts: 0,
    firstFailedAt: '',
    lastFailedAt: '',
  });
}

/**
 * Every referral in doubt this run can settle: the dead letters whose ledger record still says
 * unconfirmed, and the referrals f1-j1 selected again as unconfirmed (the run that lost the
 * answer failed before dead-lettering them). An operator's requeue is not in doubt any more.
 */
export function referralsInDoubt(
  carried: CarriedState,
  selected: readonly ReferralToOscar[],
  sent: ReadonlyMap<string, SentRecord>,
): UnconfirmedReferral[] {
  const byKey = new Map<string, UnconfirmedReferral>();
  for (const item of carried.deadLetters) {
    const doubt = isUnconfirmedLetter(item, sent) ? fromLetter(item) : undefined;
    if (doubt) byKey.set(doubt.key, doubt);
  }
  for (const item of selected) {
    const doubt = item.unconfirmed ? fromSelected(item) : undefined;
    if (doubt && !byKey.has(doubt.key)) byKey.set(doubt.key, doubt);
  }
  return [...byKey.values()];
}

/** The OSCaR referral ids the listing shows for `doubt`'s child, NGO and service. */
function listedReferralIds(doubt: UnconfirmedReferral, clients: readonly OscarClientRecord[]) {
  const ids = new Set<number>();
  for (const client of clients) {
    // A child OSCaR knew is referred to the NGO holding it (known-child.ts), which may not be the
    // one the row names: its global id finds it wherever it is. A new child is in the row's NGO.
    const known = doubt.globalId !== undefined && client.global_id === doubt.globalId;
    const created =
      client.organization_name === doubt.organisation &&
      (client.external_id ?? '') === doubt.ids.case_id;
    if (!known && !created) continue;
    for (const service of client.services ?? []) {
      if (typeof service.referral_id === 'number' && service.name === doubt.service)
        ids.add(service.referral_id);
    }
  }
  return ids;
}

/**
 * The referrals in doubt that OSCaR lists: more referrals of that service to that NGO for the
 * child than the ledger holds confirmed for the same Primero service row (an earlier confirmed
 * referral of the row must not pass for this one).
 */
export function landedReferrals(
  doubts: readonly UnconfirmedReferral[],
  listing: OscarClientList,
  sent: ReadonlyMap<string, SentRecord>,
): UnconfirmedReferral[] {
  // Listed referrals already accounted for, per Primero service row: two referrals of one row in
  // doubt and one listed settle one of them, never both.
  const accounted = new Map<string, number>();
  return doubts.filter((doubt) => {
    const row = doubt.ids.service_id;
    const confirmedOfRow =
      accounted.get(row) ??
      [...sent.values()].filter(
        (record) =>
          record.key.startsWith('referral:') &&
          record.key !== doubt.sentKey &&
          record.value === row,
      ).length;
    const landed = listedReferralIds(doubt, listing.clients).size > confirmedOfRow;
    accounted.set(row, confirmedOfRow + (landed ? 1 : 0));
    return landed;
  });
}
