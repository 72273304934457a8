// f2-j2's creates wait for their write check (src/sync/oscar-to-primero/stored-checks.ts): what a
// deferred check must keep. A fingerprint only for a case checked as stored (a killed run must
// leave none, or a dropped field is never retried); checks every CHECK_EVERY creates, so that the
// last check fits in the budget's closing reserve; a listing that hides our creates is not paid for
// again. A Primero port in memory: the emulator tests are test/e2e/f2-create-checks.test.ts.
import { describe, expect, it } from 'vitest';
import { numberedClient } from './numbered-clients.ts';
import type { PrimeroCase, PrimeroReferral } from '../../src/model/primero.ts';
import type { UncheckedCreate } from '../../src/clients/primero.ts';
import { ApiError } from '../../src/http/transport.ts';
import { emptyReport } from '../../src/workflow/outcomes.ts';
import {
  groupChildren,
  packChild,
  unpackChild,
  upsertChildren,
} from '../../src/sync/oscar-to-primero.ts';
import { fingerprintOf } from '../../src/sync/oscar-to-primero/fingerprint.ts';
import type { PrimeroCases, UpsertContext } from '../../src/sync/oscar-to-primero/upsert.ts';
import {
  CHECK_EVERY,
  FIRST_CHECK,
  storedChecks,
} from '../../src/sync/oscar-to-primero/stored-checks.ts';
import { memoryStateStore } from '../../src/workflow/state-store.ts';

const TODAY = new Date('2025-03-10T08:00:00Z');
/** Primero's clock as the Date header of an answer before the creates said it. */
const CLOCK = Date.parse('2025-03-10T08:00:00Z');

const client = numberedClient;

const batchOf = (count: number) => ({
  since: '2025-03-10 00:00:00',
  children: groupChildren(Array.from({ length: count }, (_, n) => client(n))).map(packChild),
});

/** A Primero that stores every create as sent; its listing can fail or hide cases. */
function memoryPrimero(options: { listingFails?: boolean; hides?: (id: string) => boolean } = {}) {
  const held = new Map<string, PrimeroCase>();
  const calls = { listings: 0, counts: 0, readsById: 0, created: 0 };
  const filters: Array<Record<string, string>> = [];
  const shown = () => [...held.values()].filter((record) => !options.hides?.(record.id));
  const port: PrimeroCases = {
    findCases: async () => [],
    listReferrals: async () => [],
    createCase: async () => {
      throw new Error('f2-j2 creates without the inline check when it can check later');
    },
    updateCase: async () => undefined,
    updateReferral: async () => ({}) as PrimeroReferral,
    createCaseUnchecked: async (data) => {
      calls.created += 1;
      const id = String(data.id);
      held.set(id, { ...data, id } as PrimeroCase);
      return { id, created: true, sent: { ...data, id }, notBefore: CLOCK };
    },
    checkCreated: async (create: UncheckedCreate, shownCase?: PrimeroCase) => {
      if (!shownCase) calls.readsById += 1;
      if (!held.has(create.id)) throw new Error(`case ${create.id} is not there`);
    },
    countCases: async () => {
      calls.counts += 1;
      return shown().length;
    },
    scanCases: async (filter, visit) => {
      calls.listings += 1;
      filters.push(filter);
      if (options.listingFails)
        throw new ApiError('GET /api/v2/cases answered 503', {
          system: 'primero',
          status: 503,
          method: 'GET',
          path: '/api/v2/cases',
          retryable: true,
        });
      visit({ cases: shown(), unreadable: [] });
    },
  };
  return { port, calls, held, filters };
}

function contextOf(primero: PrimeroCases, extra: Partial<UpsertContext> = {}) {
  const store = memoryStateStore();
  const ctx: UpsertContext = {
    primero,
    syncUser: 'primero_oscar_sync',
    dryRun: false,
    concurrency: 1,
    report: emptyReport(),
    carried: { cursors: {}, retries: [], deadLetters: [] },
    now: TODAY.toISOString(),
    today: TODAY,
    applied: { store, reapply: false },
    ...extra,
  };
  return { ctx, store };
}

const fingerprints = (store: ReturnType<typeof memoryStateStore>) =>
  [...store.items.keys()].filter((key) => key.startsWith('applied:f2:'));

describe('f2-j2: creates settle after their check', () => {
  it('a check that cannot be made (Primero fails) leaves no fingerprint and no outcome; the step fails', async () => {
    const { port, calls } = memoryPrimero({ listingFails: true });
    const { ctx, store } = contextOf(port, { concurrency: 3 });
    await expect(upsertChildren(batchOf(6), ctx)).rejects.toThrow(/503/);
    expect(calls.created).toBe(6);
    expect(fingerprints(store)).toEqual([]);
    expect(ctx.report.steps['f2-j2'].written).toBe(0);
    expect(ctx.report.failed).toEqual([]);
  });

  it('checked creates get their outcome and fingerprint, one listing for all', async () => {
    const { port, calls, filters } = memoryPrimero();
    const { ctx, store } = contextOf(port, { concurrency: 3 });
    await upsertChildren(batchOf(6), ctx);
    expect(calls).toEqual({ listings: 1, counts: 1, readsById: 0, created: 6 });
    // From Primero's clock before the creates, less the margin for a front server's clock.
    expect(filters).toEqual([{ last_updated_at: '2025-03-10T07:59:55.000Z..' }]);
    expect(fingerprints(store)).toHaveLength(6);
    expect(ctx.report.steps['f2-j2'].written).toBe(6);
  });

  it("the fingerprints a check settles go to the store in one write, each the child's own", async () => {
    const { port } = memoryPrimero();
    const { ctx, store } = contextOf(port, { concurrency: 3 });
    const writes: string[][] = [];
    const set = store.set.bind(store);
    store.set = async (items) => {
      writes.push(items.map((item) => item.key).filter((key) => key.startsWith('applied:f2:')));
      return set(items);
    };
    const batch = batchOf(6);
    // The step lets each child's text go from the batch once it is taken up.
    const children = batch.children.map(unpackChild);
    await upsertChildren(batch, ctx);
    // One write for the six creates the check settled, not one each (coalescedWrites).
    expect(writes.filter((keys) => keys.length > 0)).toEqual([
      children.map((one) => `applied:f2:${one.globalId}`),
    ]);
    // None was held before the run: each print was made in its lane, after the batch's look-ups.
    for (const child of children) {
      expect(JSON.parse(store.items.get(`applied:f2:${child.globalId}`)!)).toMatchObject({
        print: fingerprintOf(child, ctx.syncUser, TODAY),
      });
    }
  });

  it(`a long batch is checked after ${FIRST_CHECK} creates, then every ${CHECK_EVERY}, not once at its end`, async () => {
    const { port, calls, filters } = memoryPrimero();
    const { ctx } = contextOf(port);
    await upsertChildren(batchOf(CHECK_EVERY * 2 + 5), ctx);
    // 100, then 1 000, then the last 905 at the batch's end.
    expect(calls).toEqual({ listings: 3, counts: 3, readsById: 0, created: CHECK_EVERY * 2 + 5 });
    expect(filters).toHaveLength(3);
    expect(ctx.report.steps['f2-j2'].written).toBe(CHECK_EVERY * 2 + 5);
  });

  it('the budget stops the batch: the creates made are checked and settled before the step ends', async () => {
    const { port, calls } = memoryPrimero();
    let allowed = 4;
    const { ctx, store } = contextOf(port, { mayStart: () => allowed-- > 0 });
    const { started } = await upsertChildren(batchOf(10), ctx);
    expect(started).toBe(4);
    expect(calls).toEqual({ listings: 1, counts: 1, readsById: 0, created: 4 });
    expect(fingerprints(store)).toHaveLength(4);
  });
});

describe('storedChecks: the listing is paid for only while it helps', () => {
  const create = (n: number): UncheckedCreate => ({
    id: `case-${n}`,
    created: true,
    sent: { id: `case-${n}` },
    notBefore: CLOCK,
  });

  it('a listing that shows few of the creates (scope) is not asked again in the step', async () => {
    const { port, calls, held } = memoryPrimero({ hides: () => true });
    for (let n = 0; n < 10; n += 1) held.set(`case-${n}`, { id: `case-${n}` } as PrimeroCase);
    const checks = storedChecks(port as Parameters<typeof storedChecks>[0], 'f2-j2');
    const first = [0, 1, 2, 3, 4].map((n) => checks.add(create(n)));
    await checks.flush();
    await Promise.all(first);
    expect(calls).toMatchObject({ listings: 1, readsById: 5 });
    // From now on each create is checked as it is made, never a burst of reads at the end.
    const single = checks.add(create(5));
    expect(checks.due).toBe(true);
    await checks.flush();
    await single;
    const second = [6, 7, 8, 9].map((n) => checks.add(create(n)));
    await checks.flush();
    await Promise.all(second);
    expect(calls).toMatchObject({ listings: 1, counts: 1, readsById: 10 });
  });

  it('without a clock reading before the creates there is no safe instant: each is read', async () => {
    const { port, calls, held } = memoryPrimero();
    for (let n = 0; n < 5; n += 1) held.set(`case-${n}`, { id: `case-${n}` } as PrimeroCase);
    const checks = storedChecks(port as Parameters<typeof storedChecks>[0], 'f2-j2');
    const { notBefore: _clock, ...unclocked } = create(0);
    const done = [unclocked, create(1), create(2), create(3)].map((c) => checks.add(c));
    await checks.flush();
    await Promise.all(done);
    expect(calls).toMatchObject({ listings: 0, counts: 0, readsById: 4 });
  });
});
