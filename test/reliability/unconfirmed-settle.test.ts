// An upsert OSCaR did not confirm is never sent again (unconfirmed-upsert.test.ts); here the later
// runs settle it against OSCaR's listing: listed -> it leaves the dead letters without a second
// upsert; not listed -> it stays for an operator. OSCaR lists a new child's referral only once the
// NGO accepted it and the client exists (oscar-web organizations_controller.rb Part B with
// external_id; the emulator's accept-referral plays the NGO).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../demo/common/harness.ts';
import { primeroApi } from '../e2e/helpers.ts';
import type { Systems } from '../e2e/helpers.ts';
import { landedReferrals } from '../../src/sync/primero-to-oscar/unconfirmed.ts';
import type { UnconfirmedReferral } from '../../src/sync/primero-to-oscar/unconfirmed.ts';
import { FAST, expectNoLeaks, runWith, seen, worldSystems } from './harness.ts';
import { primeroId } from './world.ts';

const UPSERT = 'POST /api/v1/organizations/clients/upsert';
/** f2-j2 telling Primero the NGO's decision on a referral. */
const REFERRAL_DECISION = 'PATCH /api/v2/cases/:id/referrals/:referralId';
const KEY = 'f1-j2:referral:rel-case-1:rel-svc-1a';
/** One request at a time, so the first upsert is case rel-case-1's. */
const ONE_AT_A_TIME = { ...FAST, concurrency: 1 };

let systems: Systems | undefined;
afterEach(async () => {
  await systems?.close();
  systems = undefined;
});
afterAll(() => expectNoLeaks(seen));

type Org = { short_name: string; referrals: Array<{ id: number; external_id?: string }> };
const orgs = (s: Systems) => (s.oscar.state() as { organizations: Org[] }).organizations;
const referralsOf = (s: Systems, caseId: string) =>
  orgs(s).flatMap((org) =>
    org.referrals
      .filter((referral) => referral.external_id === caseId)
      .map((referral) => ({ org: org.short_name, id: referral.id })),
  );

/** The NGO accepts every referral of `caseId` (OSCaR creates the client from the first). */
async function ngoAccepts(s: Systems, caseId: string): Promise<void> {
  for (const { org, id } of referralsOf(s, caseId)) {
    const answer = await fetch(`${s.oscar.url}/__emulator/oscar/accept-referral`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organization_name: org, referral_id: id }),
    });
    expect(answer.status).toBe(200);
  }
}

async function firstRunLosing(rule: Omit<FaultRule, 'route' | 'times'>) {
  systems = await worldSystems();
  systems.oscar.setFaults({ rules: [{ route: UPSERT, times: 1, ...rule }] });
  const first = await runWith(systems, undefined, { settings: ONE_AT_A_TIME });
  systems.oscar.setFaults({});
  expect(first.summary.deadLettered.map((item) => item.key)).toEqual([KEY]);
  return first;
}

describe('an unconfirmed referral checked against the next OSCaR listing', () => {
  it('that landed: settled once OSCaR lists it, never sent again, awaited as any other', async () => {
    const first = await firstRunLosing({ status: 500, afterBody: true });
    const s = systems!;
    expect(first.summary.deadLettered[0]!.ids).toMatchObject({
      organisation: 'cif',
      oscar_service: expect.any(String),
    });
    // Not yet accepted: OSCaR's API shows nothing of it, so it waits.
    const waiting = await runWith(s, first.next);
    expect(waiting.next.deadLetters.map((item) => item.key)).toEqual([KEY]);

    await ngoAccepts(s, 'rel-case-1');
    const upserts = s.oscar.requestCounts()[UPSERT];
    const settled = await runWith(s, waiting.next);
    expect(settled.summary.ok).toBe(true);
    expect(settled.next.deadLetters).toEqual([]);
    expect(settled.next.retries).toEqual([]);
    expect(settled.logs).toContain(
      `info: [JOB] f1-j2: referral ${KEY} unconfirmed earlier is listed by OSCaR: settled`,
    );
    expect(s.oscar.requestCounts()[UPSERT]).toBe(upserts);
    expect(referralsOf(s, 'rel-case-1')).toHaveLength(1);
    // Awaited like a confirmed referral; the ledger no longer says unconfirmed.
    expect(settled.next.sent).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'referral:rel-ref-1-rel-svc-1a', value: 'rel-svc-1a' }),
        expect.objectContaining({ key: 'awaiting:rel-ref-1-rel-svc-1a' }),
      ]),
    );
    const after = await runWith(s, settled.next);
    expect(after.next.deadLetters).toEqual([]);
    expect(s.oscar.requestCounts()[UPSERT]).toBe(upserts);
  });

  it('that never landed: stays a dead letter for an operator, whatever else OSCaR lists', async () => {
    const first = await firstRunLosing({ status: 500 });
    const s = systems!;
    // The NGO accepts child 2's referral: the listing now shows clients, none of them this one.
    await ngoAccepts(s, 'rel-case-2');
    const next = await runWith(s, first.next);
    expect(next.summary.ok).toBe(true);
    expect(next.next.deadLetters.map((item) => item.key)).toEqual([KEY]);
    expect(next.logs).toContain(
      "info: [JOB] f1-j2: 1 unconfirmed referrals checked against OSCaR's listing, 0 found there",
    );
    expect(referralsOf(s, 'rel-case-1')).toHaveLength(0);
  });

  it('of a row whose earlier referral OSCaR lists: not taken for it, though no run consulted that record since', async () => {
    systems = await worldSystems();
    const s = systems;
    // Several runs within seconds: Basic auth, as the sign-in throttle would refuse a sign-in.
    s.systems.primero = { ...s.systems.primero, basicAuth: true };
    const first = await runWith(s, undefined, { settings: ONE_AT_A_TIME });
    expect(first.summary.ok).toBe(true);
    await ngoAccepts(s, 'rel-case-1');
    // The case worker refers the same service row again; OSCaR never receives that upsert, and
    // Primero refuses the NGO's decision on the first: that referral stays in progress, its ledger
    // record neither selected, nor pruned, nor in doubt.
    await primeroApi(s, 'POST', `/api/v2/cases/${primeroId(1)}/referrals`, {
      transitioned_to: 'agency-cif-user',
      service_record_id: 'rel-svc-1a',
      notes: 'invented reason of a second referral',
    });
    s.oscar.setFaults({ rules: [{ route: UPSERT, times: 1, status: 500 }] });
    s.primero.setFaults({ rules: [{ route: REFERRAL_DECISION, status: 422 }] });
    const lost = await runWith(s, first.next, { settings: ONE_AT_A_TIME });
    s.oscar.setFaults({});
    expect(lost.summary.deadLettered.map((item) => item.key)).toEqual([KEY]);
    // OSCaR lists the child with one referral of that service: the first one. It must not settle
    // the second, which OSCaR never received.
    expect(referralsOf(s, 'rel-case-1')).toHaveLength(1);
    const next = await runWith(s, lost.next);
    s.primero.setFaults({});
    expect(next.logs).toContain(
      "info: [JOB] f1-j2: 1 unconfirmed referrals checked against OSCaR's listing, 0 found there",
    );
    expect(next.next.deadLetters.map((item) => item.key)).toEqual([KEY]);
  });

  it('lost by a run that failed later: settled from the ledger alone, before it is a dead letter', async () => {
    systems = await worldSystems();
    const s = systems;
    // The upsert lands but its answer is lost; then OSCaR's listing fails the run (f2-j1).
    s.oscar.setFaults({
      rules: [
        { route: UPSERT, times: 1, status: 500, afterBody: true },
        { route: 'GET /api/v1/organizations/clients', status: 503 },
      ],
    });
    const failed = await runWith(s, undefined, { settings: ONE_AT_A_TIME });
    expect(failed.summary.ok).toBe(false);
    s.oscar.setFaults({});
    await ngoAccepts(s, 'rel-case-1');
    const carried = { cursors: {}, retries: [], deadLetters: [], sent: failed.next.sent ?? [] };
    const next = await runWith(s, carried);
    expect(next.summary.ok).toBe(true);
    expect(next.next.deadLetters).toEqual([]);
    expect(referralsOf(s, 'rel-case-1')).toHaveLength(1);
  });
});

describe('landedReferrals: what in the listing counts as the referral in doubt', () => {
  const doubt = (n: number, extra: Partial<UnconfirmedReferral> = {}): UnconfirmedReferral => ({
    key: `f1-j2:referral:case-${n}:row-${n}`,
    sentKey: `referral:ref-${n}`,
    ids: {
      case_id: `case-${n}`,
      primero_id: `p-${n}`,
      service_id: `row-${n}`,
      referral_id: `ref-${n}`,
    },
    organisation: 'cif',
    service: 'Kinship care',
    ...extra,
  });
  const client = (extra: Record<string, unknown>, referralIds: number[]) =>
    ({
      global_id: 'G-1',
      organization_name: 'cif',
      external_id: 'case-1',
      services: referralIds.map((referral_id) => ({
        uuid: 'u',
        name: 'Kinship care',
        referral_id,
      })),
      ...extra,
    }) as never;
  const listing = (...clients: never[]) => ({ clients, invalid: [] });
  const sent = (...records: Array<[string, string]>) =>
    new Map(records.map(([key, value]) => [key, { key, value, at: '2025-01-01T00:00:00Z' }]));

  it('a client of that case in that NGO listing a referral of that service', () => {
    expect(landedReferrals([doubt(1)], listing(client({}, [7])), sent())).toHaveLength(1);
    // Another NGO, another service, a service without a referral: not it.
    expect(
      landedReferrals([doubt(1)], listing(client({ organization_name: 'holt' }, [7])), sent()),
    ).toEqual([]);
    expect(
      landedReferrals([doubt(1, { service: 'Counselling' })], listing(client({}, [7])), sent()),
    ).toEqual([]);
    expect(landedReferrals([doubt(1)], listing(client({}, [])), sent())).toEqual([]);
  });

  it('a child OSCaR knew: found by its global id in the NGO holding it', () => {
    const known = doubt(1, { globalId: 'G-1', ids: { ...doubt(1).ids, case_id: 'case-other' } });
    expect(
      landedReferrals([known], listing(client({ organization_name: 'holt' }, [7])), sent()),
    ).toHaveLength(1);
  });

  it('an earlier confirmed referral of the same Primero row does not pass for this one', () => {
    const earlier = sent(['referral:ref-0', 'row-1']);
    expect(landedReferrals([doubt(1)], listing(client({}, [7])), earlier)).toEqual([]);
    expect(landedReferrals([doubt(1)], listing(client({}, [7, 8])), earlier)).toHaveLength(1);
  });

  it('two referrals of one row in doubt and one listed: one is settled, not both', () => {
    const second = doubt(1, { key: 'f1-j2:referral:case-1:row-1', sentKey: 'referral:ref-9' });
    expect(landedReferrals([doubt(1), second], listing(client({}, [7])), sent())).toHaveLength(1);
  });
});
