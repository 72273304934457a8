// Which OSCaR organisations hold a child, and what they hold: the fact f1 needs before it sends a
// referral of a child OSCaR already knows, or a decision, because OSCaR's upsert and
// update_statuses act on the FIRST organisation holding the global id, not the one meant
// (docs/oscar-api-defects.md). OSCaR has no look-up by global id, so f1-j2 reads the full listing
// once per run, and only when its batch holds such an item (docs/sync-rules.md, "Children OSCaR
// already knows").
import type { OscarClientList } from '../../clients/oscar.ts';
import type { OscarClientRecord, OscarUpsertPayload } from '../../model/oscar.ts';
import type { ToOscarBatch } from '../../model/to-oscar.ts';

/**
 * The attributes OSCaR's client update (Client.get_client_attribute) sets to what was sent or
 * nil, and that the listing shows: sending OSCaR's own values back keeps them.
 */
export type HeldValues = Pick<
  OscarUpsertPayload,
  | 'given_name'
  | 'family_name'
  | 'gender'
  | 'date_of_birth'
  | 'mosvy_number'
  | 'location_current_village_code'
  | 'address_current_village_code'
  | 'external_case_worker_name'
  | 'external_case_worker_id'
>;

/** One NGO's copy of a child. */
export interface HeldCopy {
  org: string;
  values: HeldValues;
}

/** Global id -> every NGO copy the listing shows (in listing order). */
export type OscarHolders = Record<string, HeldCopy[]>;

const globalIdOf = (value: string | null | undefined) => (value ?? '').trim();

/** Global ids the batch needs holders for: referrals of children OSCaR knows, and decisions. */
export function globalIdsNeedingHolders(batch: ToOscarBatch): string[] {
  const ids = [
    ...batch.referrals
      .filter((item) => !item.unconfirmed)
      .map((item) => globalIdOf(item.case.oscar_number)),
    ...batch.decisions.map((item) => globalIdOf(item.ids.global_id)),
  ];
  return [...new Set(ids.filter((id) => id !== ''))];
}

const textOrUndefined = (value: string | null | undefined) => value ?? undefined;

function heldValues(record: OscarClientRecord): HeldValues {
  const location = record.location_current_village_code ?? record.address_current_village_code;
  const values: HeldValues = {
    given_name: record.given_name ?? '',
    family_name: record.family_name ?? '',
    gender: record.gender ?? '',
    date_of_birth: record.date_of_birth ?? '',
    mosvy_number: record.mosvy_number ?? '',
    location_current_village_code: location ?? '',
    address_current_village_code: location ?? '',
  };
  // Only Part A (OrganizationClientSerializer) shows the external case worker; Part B does not.
  const workerName = textOrUndefined(record.external_case_worker_name);
  const workerId = textOrUndefined(record.external_case_worker_id);
  if (workerName !== undefined) values.external_case_worker_name = workerName;
  if (workerId !== undefined) values.external_case_worker_id = workerId;
  return values;
}

/** The copies of the wanted global ids, from one listing; everything else is let go. */
export function holdersFromListing(
  listing: OscarClientList,
  wanted: readonly string[],
): OscarHolders {
  const want = new Set(wanted);
  const holders: OscarHolders = {};
  for (const id of wanted) holders[id] = [];
  for (const record of listing.clients) {
    const id = globalIdOf(record.global_id);
    if (!want.has(id)) continue;
    const org = (record.organization_name ?? '').trim();
    if (org === '') continue;
    holders[id]!.push({ org, values: heldValues(record) });
  }
  return holders;
}

/** Organisations holding the child, each once, in listing order. */
export const holdingOrgs = (copies: readonly HeldCopy[]) => [
  ...new Set(copies.map((copy) => copy.org)),
];
