// f2-j1's decisions over one OSCaR listing: which clients are dropped (excluded organisations),
// which cannot be synced (no usable global_id), and how the rest are grouped into children.
import type { CarriedState, FailedItem } from '../../workflow/contract.ts';
import type { FailureInput, Report } from '../../workflow/outcomes.ts';
import { recordFailure, recordFetched, recordSkipped } from '../../workflow/outcomes.ts';
import type { ListedClient, OscarClientRecord } from '../../model/oscar.ts';
import type { OscarClientList } from '../../clients/oscar.ts';
import { log } from '../../log.ts';
import { WINDOW_ID, pendingOscarItems, windowStartOf } from './window.ts';
import type { FromOscarBatch, OscarChild, PackedChild } from '../../model/from-oscar.ts';
import { awaitingKey } from './awaiting-services.ts';

// The batch types are declared below the sync (src/model/from-oscar.ts) so the step state can name them.
export type { FromOscarBatch, OscarChild, PackedChild } from '../../model/from-oscar.ts';

export function packChild(child: OscarChild): PackedChild {
  return JSON.stringify(child) as PackedChild;
}

/** The records were parsed and checked by f2-j1 (oscarClientRecordSchema): trusted here. */
export function unpackChild(packed: PackedChild): OscarChild {
  return JSON.parse(packed) as OscarChild;
}

/** How both packers begin a child's text (packChild's key order, packListed's template). */
const PACKED_HEAD = '{"globalId":"';

/**
 * The child's global id without decoding its records: read from the head of the text when it is a
 * usable id (no quote or escape can be in one), else from the decoded child.
 */
export function packedGlobalId(packed: PackedChild): string {
  if (packed.startsWith(PACKED_HEAD)) {
    const end = packed.indexOf('"', PACKED_HEAD.length);
    const id = end < 0 ? '' : packed.slice(PACKED_HEAD.length, end);
    if (USABLE_GLOBAL_ID.test(id)) return id;
  }
  return unpackChild(packed).globalId;
}

/** The listing as the OSCaR client returns it for f2-j1 (listClientsPacked). */
export type OscarListing = OscarClientList<ListedClient>;

export const DEFAULT_EXCLUDED_ORGS = ['demo'];

// OSCaR global ids are ULIDs; anything with spaces or punctuation is a typo, not an identity.
const USABLE_GLOBAL_ID = /^[0-9A-Za-z_-]{1,64}$/;

/** The retry key of a child in f2-j2: one Primero case per OSCaR global_id. */
export function caseKey(globalId: string): string {
  return `f2-j2:case:${globalId}`;
}

/**
 * A key part for any text: letters, digits and `. @ + -` stay, every other character is written
 * `_` and the hex codes of its UTF-8 bytes (`_u` and the code unit for a lone surrogate), so two
 * different texts never share a part and the store accepts it (assertKey). Bounded, so an absurd
 * slug cannot make the key too long for the store. No TextEncoder: OpenFn.org's sandbox has none.
 */
function keyPart(text: string): string {
  let part = '';
  for (const char of text) {
    if (/^[A-Za-z0-9.@+-]$/.test(char)) part += char;
    else if (/^[!'()*~_]$/.test(char)) part += `_${char.charCodeAt(0).toString(16).toUpperCase()}`;
    else {
      try {
        part += encodeURIComponent(char).replace(/%/g, '_');
      } catch {
        part += `_u${char.charCodeAt(0).toString(16).toUpperCase()}`;
      }
    }
    if (part.length >= 96) break;
  }
  return part;
}

/**
 * The retry key of a client f2-j1 could not sync. Its global_id when usable, else its
 * organisation and slug (OSCaR lists both for every client, and neither moves when another client
 * changes); its position in the listing only when OSCaR sent neither, the one key that is not
 * stable (docs/sync-rules-oscar-to-primero.md).
 */
export function clientKey(ref: {
  globalId?: string;
  organization?: string;
  slug?: string;
  index: number;
}): string {
  if (ref.globalId && USABLE_GLOBAL_ID.test(ref.globalId)) return `f2-j1:client:${ref.globalId}`;
  if (ref.organization && ref.slug)
    return `f2-j1:client:${keyPart(ref.organization)}:${keyPart(ref.slug)}`;
  return `f2-j1:client:position-${ref.index}`;
}

/** How a reason names a client: slug and organisation, never a name. */
function clientLabel(ref: { organization?: string; slug?: string; globalId?: string }): string {
  const which = ref.slug ? ref.slug : ref.globalId ? `with global_id ${ref.globalId}` : '(no slug)';
  return `${which} of ${ref.organization || '(no organisation)'}`;
}

const isPositionKey = (key: string) => key.startsWith('f2-j1:client:position-');

function isExcluded(record: ListedClient, excluded: ReadonlySet<string>): boolean {
  return excluded.has((record.organization_name ?? '').trim().toLowerCase());
}

/** What a record is ranked by within its child (see grouped): what a ListedClient carries. */
type Ranked = Omit<ListedClient, 'json'>;

/**
 * The records by child, in global id order; the primary record (whose case-level values win) is
 * the one OSCaR says is referred, then one that knows the Primero case, then the first
 * organisation by name, so that two NGOs serving one child cannot make the owner flip between runs.
 */
function grouped<T extends Ranked>(records: readonly T[]): Array<[globalId: string, records: T[]]> {
  const byGlobalId = new Map<string, T[]>();
  for (const record of records) {
    const list = byGlobalId.get(record.global_id);
    if (list) list.push(record);
    else byGlobalId.set(record.global_id, [record]);
  }
  const rank = (r: T) => (r.is_referred === true ? 0 : 2) + (r.external_id ? 0 : 1);
  return [...byGlobalId.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([globalId, list]) => [
      globalId,
      [...list].sort(
        (a, b) =>
          rank(a) - rank(b) || (a.organization_name ?? '').localeCompare(b.organization_name ?? ''),
      ),
    ]);
}

export function groupChildren(records: readonly OscarClientRecord[]): OscarChild[] {
  return grouped(records).map(([globalId, list]) => ({ globalId, records: list }));
}

/**
 * The children of listed clients, packed: the text packChild(groupChildren(records)) would make,
 * joined from each record's JSON without making the records objects again.
 */
export function packListed(clients: readonly ListedClient[]): PackedChild[] {
  return grouped(clients).map(
    ([globalId, list]) =>
      `{"globalId":${JSON.stringify(globalId)},"records":[${list.map((c) => c.json).join(',')}]}` as PackedChild,
  );
}

export interface SelectionInput {
  listing: OscarListing;
  excludedOrgs: readonly string[];
  since: string;
  carried: CarriedState;
  report: Report;
  now: string;
}

/**
 * Records f2-j1's outcomes in the report and returns the children for f2-j2: excluded clients are
 * counted (never named), unusable clients fail with a reason, and pending items OSCaR no longer
 * lists fail again (never dropped silently) so that they reach the dead letters in the end.
 */
export function selectClients(input: SelectionInput): FromOscarBatch {
  const { listing, since, carried, report, now } = input;
  const excluded = new Set(input.excludedOrgs.map((org) => org.trim().toLowerCase()));
  recordFetched(report, 'f2-j1', listing.clients.length + listing.invalid.length);

  const seen = new Set<string>();
  const fail = (failure: Omit<FailureInput, 'step'>): FailedItem =>
    recordFailure(
      report,
      carried,
      {
        ...failure,
        step: 'f2-j1',
        ids: { ...failure.ids, [WINDOW_ID]: windowStartOf(failure.key, carried.retries, since) },
      },
      now,
    );

  const usable: ListedClient[] = [];
  let excludedCount = 0;
  for (const record of listing.clients) {
    seen
      .add(caseKey(record.global_id))
      .add(clientKey({ globalId: record.global_id, index: -1 }))
      .add(awaitingKey(record.global_id));
    if (record.organization_name && record.slug) {
      seen.add(clientKey({ organization: record.organization_name, slug: record.slug, index: -1 }));
    }
    if (isExcluded(record, excluded)) {
      excludedCount += 1;
      continue;
    }
    if (!USABLE_GLOBAL_ID.test(record.global_id)) {
      const ref = {
        organization: record.organization_name ?? '',
        slug: record.slug ?? '',
        index: listing.clients.indexOf(record),
      };
      const key = clientKey(ref);
      seen.add(key);
      fail({
        key,
        kind: 'client',
        ids: { organization: ref.organization, slug: ref.slug },
        reason:
          `OSCaR client ${clientLabel(ref)} has a global_id that is not an OSCaR global id ` +
          '(letters and digits only): correct it in OSCaR',
      });
      continue;
    }
    usable.push(record);
  }
  if (excludedCount > 0) {
    recordSkipped(report, 'f2-j1', excludedCount);
    log.info(
      `f2-j1: skipped ${excludedCount} clients of excluded organisations (${[...excluded].join(', ')})`,
    );
  }

  for (const bad of listing.invalid) {
    if (excluded.has((bad.organization_name ?? '').trim().toLowerCase())) {
      recordSkipped(report, 'f2-j1');
      continue;
    }
    const ref = {
      index: bad.index,
      ...(bad.globalId ? { globalId: bad.globalId } : {}),
      ...(bad.organization_name ? { organization: bad.organization_name } : {}),
      ...(bad.slug ? { slug: bad.slug } : {}),
    };
    const key = clientKey(ref);
    seen.add(key);
    const ids: Record<string, string> = {};
    if (bad.globalId) ids.global_id = bad.globalId;
    if (bad.organization_name) ids.organization = bad.organization_name;
    if (bad.slug) ids.slug = bad.slug;
    // Only a client OSCaR sent without slug and global_id is told by its place in the listing.
    if (isPositionKey(key)) ids.position = String(bad.index);
    const which =
      bad.slug || bad.globalId ? clientLabel(ref) : `at position ${bad.index} of the listing`;
    fail({
      key,
      kind: 'client',
      ids,
      reason: `OSCaR client ${which} cannot be synced (${bad.reason}): correct it in OSCaR; it is read again next run`,
    });
  }

  // Pending items from earlier runs: f2-j2 retries the children it receives; every other pending
  // item is settled here, so that none stays in the retry list unattempted for ever.
  const failedNow = new Set(report.failed.map((item) => item.key));
  const toUpsert = new Set(usable.map((record) => caseKey(record.global_id)));
  for (const pending of pendingOscarItems(carried.retries)) {
    if (failedNow.has(pending.key) || toUpsert.has(pending.key)) continue;
    if (seen.has(pending.key) || isPositionKey(pending.key)) {
      // Readable now, or dropped as excluded; a position-only key cannot be matched again, and a
      // client that is still broken fails under its current position.
      report.attempted.push(pending.key);
      continue;
    }
    fail({
      key: pending.key,
      kind: pending.kind,
      ids: Object.fromEntries(Object.entries(pending.ids).filter(([id]) => id !== WINDOW_ID)),
      reason:
        `OSCaR no longer lists this client since ${pending.ids[WINDOW_ID] ?? since} (deleted, merged, no longer ` +
        'integrated, or its name, gender or birth date was removed): check it in OSCaR',
    });
  }

  return { since, children: packListed(usable) };
}
