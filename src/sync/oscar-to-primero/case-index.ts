// How f2-j2 finds each child's Primero case with the fewest requests. Primero has no "find these
// N ids" query that every version honours (HEAD matches id fields exactly, so `a,b,c` lists are
// not safe), so the choice is: one search per child, or one paged scan of all of Primero's cases
// kept only where they match a child of this batch. The scan wins whenever the batch has more
// children than Primero has pages of cases (e.g. the first runs, or a backfill).
import type { PrimeroCase } from '../../model/primero.ts';
import type { PrimeroClient } from '../../clients/primero.ts';
import { log } from '../../log.ts';
import type { OscarChild } from './clients.ts';
import { lookupOf } from './plan.ts';

type Finder = PrimeroClient['findCases'];
type Scanner = Pick<PrimeroClient, 'findCases' | 'scanCases' | 'countCases'>;

/** Cases per page of a Primero listing (Primero caps `per` at 1000). */
const PAGE_SIZE = 1000;

function push(
  index: Map<string, PrimeroCase[]>,
  key: string | null | undefined,
  record: PrimeroCase,
) {
  if (!key) return;
  const list = index.get(key);
  if (list) list.push(record);
  else index.set(key, [record]);
}

/**
 * A findCases for this batch: the client's own, or one answered from a single scan when that takes
 * fewer requests. Answers are the same either way: ALL cases with that case_id / oscar_number.
 */
export async function findCasesForBatch(
  children: readonly OscarChild[],
  primero: Scanner,
): Promise<Finder> {
  const direct: Finder = (filter) => primero.findCases(filter);
  if (children.length < 2) return direct;
  const total = await primero.countCases({});
  const pages = Math.ceil(total / PAGE_SIZE);
  if (children.length <= pages) return direct;

  const caseIds = new Set<string>();
  const oscarNumbers = new Set<string>();
  for (const child of children) {
    const lookup = lookupOf(child);
    oscarNumbers.add(lookup.oscarNumber);
    if (lookup.caseId) caseIds.add(lookup.caseId);
  }
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
  // A case of an unexpected shape could be any child's: searching each child then reports it on
  // that child alone, as a search would have.
  if (unreadable > 0) {
    log.info(`f2-j2: ${unreadable} unreadable Primero case(s) in the scan: searching per child`);
    return direct;
  }
  log.info(
    `f2-j2: looked up ${children.length} children in one scan of ${total} Primero cases (${pages} pages)`,
  );
  return async (filter) => {
    if (filter.id !== undefined) return primero.findCases(filter);
    if (filter.case_id !== undefined) return byCaseId.get(filter.case_id) ?? [];
    if (filter.oscar_number !== undefined) return byOscarNumber.get(filter.oscar_number) ?? [];
    return primero.findCases(filter);
  };
}
