// Finding Primero cases by external id (case_id, oscar_number) for a whole batch with the fewest
// requests. Primero has no "find these N ids" query that every version honours (HEAD matches id
// fields exactly, so `a,b,c` lists are not safe), so the choice is: one search per id, or one paged
// scan of all of Primero's cases, kept only where they match an id of the batch. The scan wins
// whenever the batch has more ids than Primero has pages of cases (the first runs, a backfill).
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

function push(index: Map<string, PrimeroCase[]>, key: string, record: PrimeroCase) {
  const list = index.get(key);
  if (list) list.push(record);
  else index.set(key, [record]);
}

/**
 * A finder for this batch's ids: a search per id, or answers from one scan when that takes fewer
 * requests. Answers are the same either way.
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
  if (lookups < 2) return direct;
  const total = await primero.countCases({});
  const pages = Math.ceil(total / PAGE_SIZE);
  if (lookups <= pages) return direct;

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
