import { describe, expect, it } from 'vitest';
import type { ReadableCases } from '../../src/clients/primero.ts';
import type { PrimeroCase } from '../../src/model/primero.ts';
import { findCasesForBatch, lookupCost } from '../../src/sync/case-lookup.ts';

const primeroCase = (id: string, over: Partial<PrimeroCase> = {}) =>
  ({
    id,
    case_id: `case-${id}`,
    last_updated_at: '2025-01-01T00:00:00.000Z',
    ...over,
  }) as PrimeroCase;

function fakePrimero(cases: PrimeroCase[], unreadable = 0) {
  const calls = { search: 0, scan: 0, count: 0 };
  return {
    calls,
    listCasesReadable: async (filter: Record<string, string>): Promise<ReadableCases> => {
      calls.search += 1;
      return {
        cases: cases.filter(
          (c) =>
            (filter.case_id !== undefined && c.case_id === filter.case_id) ||
            (filter.oscar_number !== undefined && c.oscar_number === filter.oscar_number),
        ),
        unreadable: [],
      };
    },
    countCases: async () => {
      calls.count += 1;
      return cases.length;
    },
    scanCases: async (_filter: Record<string, string>, visit: (page: ReadableCases) => void) => {
      calls.scan += 1;
      for (let i = 0; i < cases.length; i += 1000) {
        visit({
          cases: cases.slice(i, i + 1000),
          unreadable:
            i === 0 ? Array.from({ length: unreadable }, () => ({ reason: 'bad shape' })) : [],
        });
      }
    },
  };
}

const ids = (found: ReadableCases) => found.cases.map((c) => c.id).sort();

describe('batch look-ups by external id: one search per id, or one scan when that costs less', () => {
  const many = Array.from({ length: 2500 }, (_, i) =>
    primeroCase(`p${i}`, { oscar_number: `G${i}` }),
  );

  it('searches per id when the batch is small against Primero', async () => {
    const primero = fakePrimero(many); // 3 pages
    const find = await findCasesForBatch({ oscarNumbers: ['G1', 'G2', 'G3'] }, primero, 'test');
    expect(ids(await find({ oscar_number: 'G2' }))).toEqual(['p2']);
    expect(primero.calls).toEqual({ search: 1, scan: 0, count: 1 });
  });

  it('answers from one scan when the batch is larger, with every match a search would give', async () => {
    const duplicate = primeroCase('dup', { oscar_number: 'G7' }); // two cases share G7
    const linked = primeroCase('linked', { case_id: 'case-known', oscar_number: 'G9' });
    const primero = fakePrimero([...many, duplicate, linked]);
    // 2 502 cases are 3 pages of about 1.6 MB in all: worth it for 40 ids (40 requests), not for 5.
    const news = Array.from({ length: 40 }, (_, i) => `NEW-${i + 1}`);
    const find = await findCasesForBatch(
      { oscarNumbers: ['G7', 'G9', ...news], caseIds: ['case-known'] },
      primero,
      'test',
    );
    expect(ids(await find({ oscar_number: 'G7' }))).toEqual(['dup', 'p7']);
    expect(ids(await find({ case_id: 'case-known' }))).toEqual(['linked']);
    expect(ids(await find({ oscar_number: 'NEW-1' }))).toEqual([]);
    expect(primero.calls).toEqual({ search: 0, scan: 1, count: 1 });
  });

  it('weighs bytes as well as requests: an hourly batch is searched, whatever Primero holds', async () => {
    // Issue 17: a page of 1 000 cases is ~650 KB, a search ~0.6 KB. 100 ids against 10 000 or
    // 50 000 cases: searched (counting requests alone, 10 pages would beat 100 searches at 10 000).
    // The first run's 10 000 ids against 10 000 cases: one scan.
    expect(lookupCost(100, 10_000).search).toBeLessThan(lookupCost(100, 10_000).scan);
    expect(lookupCost(100, 50_000).search).toBeLessThan(lookupCost(100, 50_000).scan);
    expect(lookupCost(10_000, 10_000).scan).toBeLessThan(lookupCost(10_000, 10_000).search);
    const primero = fakePrimero(many.slice(0, 2000)); // 2 pages
    const find = await findCasesForBatch(
      { oscarNumbers: Array.from({ length: 12 }, (_, i) => `G${i}`) },
      primero,
      'test',
    );
    expect(ids(await find({ oscar_number: 'G3' }))).toEqual(['p3']);
    // 12 ids > 2 pages: the request count alone would have scanned.
    expect(primero.calls).toEqual({ search: 1, scan: 0, count: 1 });
  });

  it('falls back to a search per id when the scan met a case of an unexpected shape', async () => {
    const primero = fakePrimero(many.slice(0, 10), 1);
    const find = await findCasesForBatch({ oscarNumbers: ['G1', 'G2', 'G3'] }, primero, 'test');
    await find({ oscar_number: 'G1' });
    expect(primero.calls.search).toBe(1);
  });
});
