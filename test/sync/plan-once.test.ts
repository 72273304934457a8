// f2-j2 plans a new child once: the plan its fingerprint is made of (the case as it would be
// created) is the one it creates the case from when Primero has no case for the child. A child
// Primero already holds is planned again against that case. And the name-based ids f2 gives cases,
// rows and fingerprints are uuid's v5 ids of the same names, however they are computed.
import { v5 as uuidv5 } from 'uuid';
import { describe, expect, it, vi } from 'vitest';
import { globalIdOf, numberedClient } from './numbered-clients.ts';
import type { PrimeroCase, PrimeroCaseWrite, PrimeroReferral } from '../../src/model/primero.ts';
import { emptyReport } from '../../src/workflow/outcomes.ts';
import { memoryStateStore } from '../../src/workflow/state-store.ts';
import { groupChildren, packChild } from '../../src/sync/oscar-to-primero.ts';
import { fingerprintOf, printedPlan } from '../../src/sync/oscar-to-primero/fingerprint.ts';
import { planCaseUpsert } from '../../src/sync/oscar-to-primero/plan.ts';
import { nameUuid, SERVICE_ROW_NAMESPACE } from '../../src/sync/oscar-to-primero/service-rows.ts';
import type { PrimeroCases } from '../../src/sync/oscar-to-primero/upsert.ts';
import { upsertChildren } from '../../src/sync/oscar-to-primero/upsert.ts';

// Every call of planCaseUpsert from the other modules is counted; the plans are the real ones.
const planned = vi.hoisted(() => ({ globalIds: [] as string[] }));
vi.mock('../../src/sync/oscar-to-primero/plan.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/sync/oscar-to-primero/plan.ts')>();
  return {
    ...original,
    planCaseUpsert: (input: Parameters<typeof original.planCaseUpsert>[0]) => {
      planned.globalIds.push(input.child.globalId);
      return original.planCaseUpsert(input);
    },
  };
});

const TODAY = new Date('2025-03-10T08:00:00Z');
const SYNC_USER = 'primero_oscar_sync';
const client = numberedClient;

describe('f2-j2 plans a new child once', () => {
  it('creates a new child from the plan of its fingerprint; a held case is planned against it', async () => {
    const children = groupChildren([0, 1, 2, 3].map(client));
    const existing = {
      id: 'primero-3',
      case_id: 'case-3',
      last_updated_at: '2025-03-01T00:00:00Z',
      oscar_number: globalIdOf(3),
      services_section: [],
    } as PrimeroCase;
    const created: PrimeroCaseWrite[] = [];
    const updated: string[] = [];
    const primero: PrimeroCases = {
      findCases: async (filter) => (filter.oscar_number === globalIdOf(3) ? [existing] : []),
      listReferrals: async () => [],
      createCase: async (data) => {
        created.push(data);
        return { id: String(data.id), created: true };
      },
      updateCase: async (id) => {
        updated.push(id);
      },
      updateReferral: async () => ({}) as PrimeroReferral,
    };
    const store = memoryStateStore();
    const expected = children
      .slice(0, 3)
      .map((child) => planCaseUpsert({ child, syncUser: SYNC_USER, today: TODAY }).write);
    planned.globalIds.length = 0;
    await upsertChildren(
      { since: '2025-03-10 00:00:00', children: children.map(packChild) },
      {
        primero,
        syncUser: SYNC_USER,
        dryRun: false,
        concurrency: 2,
        report: emptyReport(),
        carried: { cursors: {}, retries: [], deadLetters: [] },
        now: TODAY.toISOString(),
        today: TODAY,
        applied: { store, reapply: false },
      },
    );
    // The three new children once each; the held one for its print, then against its case.
    expect([...planned.globalIds].sort()).toEqual(
      [0, 1, 2, 3, 3].map(globalIdOf).sort((a, b) => a.localeCompare(b)),
    );
    expect(created).toEqual(expected);
    expect(updated).toEqual(['primero-3']);
    // Each child's print is kept, and is the one fingerprintOf makes.
    const kept = await store.get(children.map((child) => `applied:f2:${child.globalId}`));
    expect(kept.map((item) => (item.value as { print: string }).print)).toEqual(
      children.map((child) => fingerprintOf(child, SYNC_USER, TODAY)),
    );
  });

  it('printedPlan gives neither print nor plan for a child that does not map', () => {
    const [child] = groupChildren([client(0)]);
    const broken = { ...child!, records: [] };
    expect(printedPlan(broken, SYNC_USER, TODAY)).toEqual({});
  });
});

describe('nameUuid', () => {
  it.each([
    ['ASCII', 'oscar:case:01JAAAAAAAAAAAAAAAAAA00001'],
    ['Khmer', 'fingerprint:{"name_first":"សុខ","name_last":"ចាន់"}'],
    ['outside the BMP', 'fingerprint:{"notes":"🙂 ok"}'],
    ['empty', ''],
  ])('gives the id uuid gives the same name (%s)', (_, name) => {
    expect(nameUuid(name)).toBe(uuidv5(name, SERVICE_ROW_NAMESPACE));
  });

  it('fails on a lone surrogate as uuid does, instead of hashing a replacement character', () => {
    const name = 'fingerprint:{"notes":"\ud83d"}';
    expect(() => uuidv5(name, SERVICE_ROW_NAMESPACE)).toThrow(URIError);
    expect(() => nameUuid(name)).toThrow(URIError);
  });
});
