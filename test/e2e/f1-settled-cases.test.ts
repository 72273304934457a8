// Issue 17, item 2 for f1: work that follows the changes. f1-j1 lists every case updated since the
// cursor less a re-read margin, so each run after a busy one lists again the cases it just sent.
// f1 remembers the last_updated_at at which it settled each case (its referrals read, every one
// selected confirmed in the sent ledger) and skips the referral read of a case listed again
// unchanged (src/sync/primero-to-oscar/settled-cases.ts). A referral is never lost for it: a new
// referral stamps the case's last_updated_at (primeroIMS/primero app/models/referral.rb `perform`
// sets last_updated_by, saved with the record; demo/primero/routes.ts POST referrals), and a case
// is settled only once f1-j2 has ended with its referrals confirmed.
import { afterAll, describe, expect, it } from 'vitest';
import { memoryStateStore } from '../../src/workflow/state-store.ts';
import type { CarriedState, FailedItem } from '../../src/workflow/contract.ts';
import type { SyncSettings } from '../../src/workflow/contract.ts';
import { primeroApi, runOnce, startSystems } from './helpers.ts';
import type { RunResult, Systems } from './helpers.ts';
import { mosvyChild, primeroId, referralOf, row, START, worldSeeds } from '../reliability/world.ts';
import { FAST } from '../reliability/harness.ts';
import { SETTLED_PREFIX } from '../../src/sync/primero-to-oscar/settled-cases.ts';

const REFERRAL_READ = 'GET /api/v2/cases/:id/referrals';
const UPSERT = 'POST /api/v1/organizations/clients/upsert';
/** The world's two referring cases and five more, each with one referral to OSCaR. */
const EXTRA = [10, 11, 12, 13, 14];
const REFERRING = [1, 2, ...EXTRA];

const opened: Systems[] = [];
afterAll(async () => {
  await Promise.all(opened.map((systems) => systems.close()));
});

async function world(): Promise<Systems> {
  const seeds = worldSeeds();
  for (const n of EXTRA) {
    seeds.primero.cases.push(mosvyChild(n, { services_section: [row(`rel-svc-${n}a`)] }));
    seeds.primero.referrals.push(referralOf(n, `rel-svc-${n}a`));
  }
  const systems = await startSystems(seeds);
  // Several runs within seconds: Basic auth, as the sign-in throttle would refuse the eighth.
  systems.systems.primero = { ...systems.systems.primero, basicAuth: true };
  opened.push(systems);
  return systems;
}

/** A case worker edits case `n` (its last_updated_at moves). */
const edit = (systems: Systems, n: number) =>
  primeroApi(systems, 'PATCH', `/api/v2/cases/${primeroId(n)}`, { risk_level: 'medium' });

/** A case worker adds a counselling service to case `n` and refers it to an NGO. */
async function referAgain(systems: Systems, n: number): Promise<void> {
  const service = `rel-svc-${n}-new`;
  await primeroApi(systems, 'PATCH', `/api/v2/cases/${primeroId(n)}`, {
    services_section: [
      row(service, {
        service_type: 'counselling',
        service_subtype: ['counselling_trauma'],
        service_implementing_agency: 'agency-holt',
      }),
    ],
  });
  await primeroApi(systems, 'POST', `/api/v2/cases/${primeroId(n)}/referrals`, {
    transitioned_to: 'agency-holt-user',
    service_record_id: service,
    notes: 'invented reason of a second referral',
  });
}

/** OSCaR's referrals from Primero of case `n`, every NGO together. */
function referralsInOscar(systems: Systems, n: number): unknown[] {
  const state = systems.oscar.state() as {
    organizations: Array<{ referrals: Array<{ external_id: string | null }> }>;
  };
  return state.organizations.flatMap((org) =>
    org.referrals.filter((referral) => referral.external_id === `rel-case-${n}`),
  );
}

interface Measured {
  result: RunResult;
  /** Referral lists read this run. */
  reads: number;
  /** OSCaR upserts this run (each attempt). */
  upserts: number;
  /** Settled-case items written to the run's store this run. */
  settledWrites: number;
}

/** Runs the sync once at a time with a store that outlives the runs, as the runner's database does. */
function runnerOf(systems: Systems) {
  const store = memoryStateStore();
  const writes = { settled: 0 };
  const set = store.set.bind(store);
  store.set = async (items) => {
    writes.settled += items.filter((item) => item.key.startsWith(SETTLED_PREFIX)).length;
    return set(items);
  };
  let carried: CarriedState | undefined;
  return {
    store,
    carried: () => carried,
    async run(
      options: { since?: string; settings?: Partial<SyncSettings>; carried?: CarriedState } = {},
    ): Promise<Measured> {
      const before = {
        reads: systems.primero.requestCounts()[REFERRAL_READ] ?? 0,
        upserts: systems.oscar.requestCounts()[UPSERT] ?? 0,
        settledWrites: writes.settled,
      };
      const since = options.since ?? (carried ? undefined : START);
      const result = await runOnce(systems, options.carried ?? carried, {
        store,
        ...(since ? { since } : {}),
        settings: { ...FAST, ...options.settings },
      });
      if (result.summary.ok) carried = result.next;
      return {
        result,
        reads: (systems.primero.requestCounts()[REFERRAL_READ] ?? 0) - before.reads,
        upserts: (systems.oscar.requestCounts()[UPSERT] ?? 0) - before.upserts,
        settledWrites: writes.settled - before.settledWrites,
      };
    },
  };
}

/** The first run, then every referring case edited and run once more: all settled, all edited. */
async function settledAfterEdits(systems: Systems) {
  const runner = runnerOf(systems);
  const first = await runner.run();
  expect(first.result.summary.ok).toBe(true);
  expect(first.reads).toBe(REFERRING.length);
  for (const n of REFERRING) await edit(systems, n);
  const changed = await runner.run();
  expect(changed.result.summary.ok).toBe(true);
  // Each edited case is read once: its last_updated_at moved.
  expect(changed.reads).toBe(REFERRING.length);
  expect(changed.upserts).toBe(0);
  // One store item per case whose settled value changed.
  expect(changed.settledWrites).toBe(REFERRING.length);
  return runner;
}

describe('f1 skips the referral reads of cases it already settled', () => {
  it('a run after a run that changed N referring cases reads no referral list; a new referral is still sent', async () => {
    const systems = await world();
    const runner = await settledAfterEdits(systems);

    // Listed again within the re-read margin, unchanged: nothing read, nothing sent.
    const again = await runner.run();
    expect(again.result.summary.ok).toBe(true);
    expect(again.reads).toBe(0);
    expect(again.upserts).toBe(0);
    expect(again.settledWrites).toBe(0);
    expect(again.result.logs.join('\n')).toMatch(/7 settled already and not read/);

    // A case worker refers one of them again: its last_updated_at moves, it is read and sent.
    await referAgain(systems, 1);
    const referred = await runner.run();
    expect(referred.result.summary.ok).toBe(true);
    expect(referred.reads).toBe(1);
    expect(referred.upserts).toBe(1);
    expect(referralsInOscar(systems, 1)).toHaveLength(2);
  });

  it('a run that fails at the upsert leaves the case unsettled: the next run reads it and sends the referral once', async () => {
    const systems = await world();
    const runner = await settledAfterEdits(systems);
    await referAgain(systems, 2);
    systems.oscar.setFaults({ rules: [{ route: UPSERT, status: 503 }] });
    const failed = await runner.run({ settings: { maxAttempts: 5 } });
    expect(failed.result.summary.ok).toBe(false);
    expect(failed.result.summary.error).toMatch(/f1-j2/);
    expect(failed.reads).toBe(1);
    systems.oscar.setFaults({});

    const next = await runner.run();
    expect(next.result.summary.ok).toBe(true);
    expect(next.reads).toBe(1);
    expect(next.upserts).toBe(1);
    // Case 2's two referrals of the first run and the new one, each once.
    expect(referralsInOscar(systems, 2)).toHaveLength(3);
    expect((await runner.run()).reads).toBe(0);
  });

  it('a referral the budget deferred in f1-j2 leaves its case unsettled: the next run sends it', async () => {
    const systems = await world();
    const runner = runnerOf(systems);
    // Eight units: f1 reads at most two cases (1 and 2) and writes two of their three referrals.
    const cut = await runner.run({ settings: { maxRunItems: 8 } });
    expect(cut.result.summary.ok).toBe(true);
    expect(cut.upserts).toBe(2);
    expect(referralsInOscar(systems, 1).length + referralsInOscar(systems, 2).length).toBe(2);

    const rest = await runner.run();
    expect(rest.result.summary.ok).toBe(true);
    expect(referralsInOscar(systems, 1)).toHaveLength(1);
    expect(referralsInOscar(systems, 2)).toHaveLength(2);
  });

  it('an explicit start reads every referral list again', async () => {
    const systems = await world();
    const runner = await settledAfterEdits(systems);
    const backfill = await runner.run({ since: START });
    expect(backfill.result.summary.ok).toBe(true);
    expect(backfill.reads).toBe(REFERRING.length);
    expect(backfill.upserts).toBe(0);
    // Read again and found as settled: nothing rewritten.
    expect(backfill.settledWrites).toBe(0);
  });

  it('a settled case with an item carried for retry is read again', async () => {
    const systems = await world();
    const runner = await settledAfterEdits(systems);
    // An operator requeued case 1's referral (`npx interop retry`): it is retried, so read.
    const requeued: FailedItem = {
      key: 'f1-j2:referral:rel-case-1:rel-svc-1a',
      step: 'f1-j2',
      kind: 'referral',
      ids: { case_id: 'rel-case-1', primero_id: primeroId(1), service_id: 'rel-svc-1a' },
      reason: 'requeued by an operator',
      attempts: 1,
      firstFailedAt: START,
      lastFailedAt: START,
    };
    const carried = runner.carried()!;
    const retried = await runner.run({ carried: { ...carried, retries: [requeued] } });
    expect(retried.result.summary.ok).toBe(true);
    expect(retried.reads).toBe(1);
    // Read, found confirmed in the ledger: settled as unchanged, not re-sent.
    expect(retried.upserts).toBe(0);
    expect(retried.result.next.retries).toEqual([]);
  });
});
