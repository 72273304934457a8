import { describe, expect, it } from 'vitest';
import type { ReadableCases } from '../../src/clients/primero.ts';
import type { PrimeroCase } from '../../src/model/primero.ts';
import type { OscarClientRecord } from '../../src/model/oscar.ts';
import { findCasesForBatch } from '../../src/sync/oscar-to-primero/case-index.ts';
import type { OscarChild } from '../../src/sync/oscar-to-primero/clients.ts';

const child = (globalId: string, externalId?: string): OscarChild => ({
  globalId,
  records: [
    {
      global_id: globalId,
      ...(externalId ? { external_id: externalId } : {}),
    } as OscarClientRecord,
  ],
});
const primeroCase = (id: string, over: Partial<PrimeroCase> = {}) =>
  ({
    id,
    case_id: `case-${id}`,
    last_updated_at: '2025-01-01T00:00:00.000Z',
    ...over,
  }) as PrimeroCase;

function fakePrimero(cases: PrimeroCase[], unreadable = 0) {
  const calls = { find: 0, scan: 0, count: 0 };
  return {
    calls,
    findCases: async (filter: { case_id?: string; oscar_number?: string; id?: string }) => {
      calls.find += 1;
      return cases.filter(
        (c) =>
          (filter.case_id !== undefined && c.case_id === filter.case_id) ||
          (filter.oscar_number !== undefined && c.oscar_number === filter.oscar_number),
      );
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

describe('f2-j2 look-ups: one search per child, or one scan when that is fewer requests', () => {
  const many = Array.from({ length: 2500 }, (_, i) =>
    primeroCase(`p${i}`, { oscar_number: `G${i}` }),
  );

  it('searches per child when the batch has fewer children than Primero has pages', async () => {
    const primero = fakePrimero(many); // 3 pages
    const find = await findCasesForBatch([child('G1'), child('G2'), child('G3')], primero);
    expect(await find({ oscar_number: 'G2' })).toHaveLength(1);
    expect(primero.calls).toEqual({ find: 1, scan: 0, count: 1 });
  });

  it('answers from one scan when the batch is larger, with the same matches as a search', async () => {
    const duplicate = primeroCase('dup', { oscar_number: 'G7' }); // two cases share G7
    const linked = primeroCase('linked', { case_id: 'case-known', oscar_number: 'G9' });
    const primero = fakePrimero([...many, duplicate, linked]);
    const children = [
      child('G7'),
      child('G9', 'case-known'),
      child('NEW-1'),
      child('NEW-2'),
      child('NEW-3'),
    ];
    const find = await findCasesForBatch(children, { ...primero, countCases: async () => 1 });
    expect((await find({ oscar_number: 'G7' })).map((c) => c.id).sort()).toEqual(['dup', 'p7']);
    expect((await find({ case_id: 'case-known' })).map((c) => c.id)).toEqual(['linked']);
    expect(await find({ oscar_number: 'NEW-1' })).toEqual([]);
    expect(primero.calls.find).toBe(0);
    expect(primero.calls.scan).toBe(1);
  });

  it('falls back to a search per child when the scan met a case of an unexpected shape', async () => {
    const primero = fakePrimero(many.slice(0, 10), 1);
    const find = await findCasesForBatch([child('G1'), child('G2'), child('G3')], primero);
    await find({ oscar_number: 'G1' });
    expect(primero.calls.find).toBe(1);
  });
});
