// Finding Primero cases by external id (case_id, oscar_number) for a whole batch with the fewest
// requests. Primero has no "find these N ids" query that every version honours (HEAD matches id
// fields exactly, so `a,b,c` lists are not safe), so the choice is: one search per id, or one paged
// scan of all of Primero's cases, kept only where they match an id of the batch. The choice weighs
// bytes as well as requests (lookupCost): a scan page of 1 000 cases is about 650 KB, a search
// answer about 0.6 KB, so the scan wins only for a batch far larger than Primero's page count (the
// first runs, a backfill); an hourly batch is searched id by id whatever Primero holds.
// Both directions use it: f1-j1 to check that a global id is held by one case only, f2-j2 to find
// each OSCaR child's case.
import type { PrimeroClient, ReadableCases } from '../clients/primero.ts';
import type { PrimeroCase } from '../model/primero.ts';
import { log } from '../log.ts';

export type ExternalIdFilter = { case_id: string } | { oscar_number: string };
/** ALL cases holding that external id, and those of an unexpected shape (ids and reasons only). */
export type BatchFinder = (filter: ExternalIdFilter) => Promise<ReadableCases>;
type Scanner = Pick<PrimeroClient, 'listCasesReadable' | 'scanCases' | 'countCases'>;

/** Cases per page of a Primero listing (Primero caps `per` at 1000). */
const PAGE_SIZE = 1000;

/**
 * The cost model, in bytes. A request's round trip is worth REQUEST_BYTES of transfer: 20 ms of
 * latency on a link of about 26 Mbit/s (the bench's latency, a modest connection to a hosted
 * Primero). A case in a listing page is about CASE_BYTES (a page of 1 000 measured at ~650 KB on the
 * emulator's bench seed); a search answer (one case, or none) about SEARCH_BYTES.
 */
const REQUEST_BYTES = 64 * 1024;
const CASE_BYTES = 650;
const SEARCH_BYTES = 600;

/** What each way costs for `lookups` ids against `total` cases (the count is spent either way). */
export function lookupCost(lookups: number, total: number): { search: number; scan: number } {
  const pages = Math.ceil(total / PAGE_SIZE);
  return {
    search: lookups * (REQUEST_BYTES + SEARCH_BYTES),
    scan: pages * REQUEST_BYTES + total * CASE_BYTES,
  };
}

function push(index: Map<string, PrimeroCase[]>, key: string, record: PrimeroCase) {
  const list = index.get(key);
  if (list) list.push(record);
  else index.set(key, [record]);
}

/**
 * A finder for this batch's ids: a search per id, or answers from one scan when that costs less
 * (lookupCost). Answers are the same either way.
 */
export async function findCasesForBatch(
  wanted: { caseIds?: Iterable<string>; oscarNumbers?: Iterable<string> },
  primero: Scanner,
  what: string,
): Promise<BatchFinder> {
  const direct: BatchFinder = (filter) => primero.listCasesReadable({ ...filter });
  const caseIds = new Set(wanted.caseIds ?? []);
  const oscarNumbers = new Set(wanted.oscarNumbers ?? []);
  const lookups = caseIds.size + oscarNumbers.size;
  // A scan is a count and at least one page: two ids are never worth it, nor is the count.
  if (lookups <= 2) return direct;
  const total = await primero.countCases({});
  const pages = Math.ceil(total / PAGE_SIZE);
  const cost = lookupCost(lookups, total);
  if (cost.search <= cost.scan) return direct;

  const byCaseId = new Map<string, PrimeroCase[]>();
  const byOscarNumber = new Map<string, PrimeroCase[]>();
  let unreadable = 0;
  await primero.scanCases({}, (page) => {
    unreadable += page.unreadable.length;
    for (const record of page.cases) {
      if (record.case_id && caseIds.has(record.case_id)) push(byCaseId, record.case_id, record);
      if (record.oscar_number && oscarNumbers.has(record.oscar_number))
        push(byOscarNumber, record.oscar_number, record);
    }
  });
  // A case of an unexpected shape could hold any of the ids: searching each id then reports it on
  // that item alone, as a search would have.
  if (unreadable > 0) {
    log.info(`${what}: ${unreadable} unreadable Primero case(s) in the scan: searching per id`);
    return direct;
  }
  log.info(
    `${what}: looked up ${lookups} ids in one scan of ${total} Primero cases (${pages} pages)`,
  );
  return async (filter) => ({
    cases:
      'case_id' in filter
        ? (byCaseId.get(filter.case_id) ?? [])
        : (byOscarNumber.get(filter.oscar_number) ?? []),
    unreadable: [],
  });
}
