// Guarantee 1 (OSCaR's referral upsert): OSCaR cannot deduplicate a referral sent twice, so an
// upsert whose outcome is unknown (no answer, 500/502/504, an unreadable success) is never sent
// again automatically: it goes straight to the dead letters with a reason that tells the operator
// what to check, the rest of the batch lands, the run completes, and an operator's retry sends it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../demo/common/harness.ts';
import { createRunner } from '../../src/runner/run-once.ts';
import { openStore } from '../../src/runner/store.ts';
import type { Store } from '../../src/runner/store.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import type { Systems } from '../e2e/helpers.ts';
import {
  FAST,
  digest,
  expectNoLeaks,
  reference,
  runUntilQuiet,
  runWith,
  seen,
  worldSystems,
} from './harness.ts';
import { START } from './world.ts';

const UPSERT = 'POST /api/v1/organizations/clients/upsert';
const KEY = 'f1-j2:referral:rel-case-1:rel-svc-1a';
const REASON =
  'OSCaR did not confirm the referral of case rel-case-1 (service rel-svc-1a): it may have been ' +
  `saved. Check OSCaR for it; if missing, run \`npx interop retry ${KEY}\``;

let expected: Awaited<ReturnType<typeof reference>>;
let systems: Systems | undefined;
const homes: string[] = [];
const stores: Store[] = [];
beforeAll(async () => {
  expected = await reference();
});
afterEach(async () => {
  for (const store of stores.splice(0)) store.close();
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  await systems?.close();
  systems = undefined;
});
afterAll(() => expectNoLeaks(seen));

/** One request at a time (so "the first upsert" is case rel-case-1's) and a short timeout. */
const ONE_AT_A_TIME = { ...FAST, concurrency: 1, http: { ...FAST.http, timeoutMs: 100 } };

const referralsOf = (s: Systems, caseId: string) =>
  (
    s.oscar.state() as { organizations: Array<{ referrals: Array<{ external_id?: string }> }> }
  ).organizations
    .flatMap((org) => org.referrals)
    .filter((referral) => referral.external_id === caseId);

/** The first upsert (case rel-case-1: children are sent in parallel, so pin it by order). */
function faultFirstUpsert(s: Systems, rule: Omit<FaultRule, 'route' | 'times'>) {
  s.oscar.setFaults({ rules: [{ route: UPSERT, times: 1, ...rule }] });
}

function runnerOn(s: Systems) {
  const home = mkdtempSync(join(tmpdir(), 'interop-reliability-'));
  homes.push(home);
  const store = openStore(home);
  stores.push(store);
  const runner = createRunner({ store, runWorkflow, systems: s.systems, settings: ONE_AT_A_TIME });
  return { store, runner };
}

describe('an upsert whose answer was lost after OSCaR saved it', () => {
  const lost: Array<[string, Omit<FaultRule, 'route' | 'times'>]> = [
    ['connection dropped after the write', { drop: true, afterBody: true }],
    ['500 after the write', { status: 500, afterBody: true }],
    [
      '502 HTML page after the write',
      { status: 502, afterBody: true, body: '<html>Bad gateway</html>' },
    ],
    ['504 after the write', { status: 504, afterBody: true }],
    ['200 with an empty body', { status: 200, afterBody: true, body: '' }],
    ['200 with an HTML page', { status: 200, afterBody: true, body: '<html>ok</html>' }],
    // OSCaR is slow: the client gives up (100 ms, timers tick each second), OSCaR saves at 1.3 s.
    ['no answer within the timeout', { delayMs: 1300, afterBody: true }],
  ];
  it.each(lost)(
    '%s: dead-lettered at once, never sent again, OSCaR holds it once',
    async (_n, rule) => {
      systems = await worldSystems();
      faultFirstUpsert(systems, rule);
      const first = await runWith(systems, undefined, { settings: ONE_AT_A_TIME });
      expect(first.summary.ok).toBe(true);
      expect(first.summary.deadLettered).toEqual([
        expect.objectContaining({ key: KEY, attempts: 5, reason: REASON }),
      ]);
      // The rest of the batch landed, the cursors moved on.
      expect(first.summary.steps['f1-j2'].written).toBeGreaterThanOrEqual(5);
      expect(first.next.cursors.primero).not.toBe(START);
      await new Promise((resolve) => setTimeout(resolve, 500)); // a slow OSCaR finishes saving
      const upserts = systems.oscar.requestCounts()[UPSERT];
      const more = await runUntilQuiet(systems, first.next);
      expect(systems.oscar.requestCounts()[UPSERT]).toBe(upserts);
      expect(referralsOf(systems, 'rel-case-1')).toHaveLength(1);
      expect(more.at(-1)!.next.deadLetters.map((item) => item.key)).toEqual([KEY]);
      expect(digest(systems)).toEqual(expected);
    },
  );
});

describe('an upsert OSCaR failed without saving it', () => {
  it.each([
    ['500 before the write', { status: 500 }],
    ['connection dropped before the write', { drop: true }],
    ['an HTML 502 page before the write', { status: 502, body: '<html>Bad gateway</html>' }],
    // The client gives up; OSCaR never gets to the request (the emulator drops it unhandled).
    ['no answer within the timeout', { delayMs: 1300 }],
  ] as Array<[string, Omit<FaultRule, 'route' | 'times'>]>)(
    '%s: dead-lettered; the operator retries it and it lands once',
    async (_n, rule) => {
      systems = await worldSystems();
      const { store, runner } = runnerOn(systems);
      faultFirstUpsert(systems, rule);
      const first = await runner.runOnce({ trigger: 'manual', since: START });
      // The run finished with the item dead-lettered: amber.
      expect(first.status).toBe('succeeded-with-failures');
      expect(store.listDeadLetters()).toEqual([
        expect.objectContaining({ key: KEY, reason: REASON }),
      ]);
      expect(referralsOf(systems, 'rel-case-1')).toHaveLength(0);

      // Hourly runs leave it alone: only an operator knows whether OSCaR has it.
      for (let n = 0; n < 2; n += 1) await runner.runOnce({ trigger: 'schedule' });
      expect(referralsOf(systems, 'rel-case-1')).toHaveLength(0);
      expect(store.listDeadLetters().map((item) => item.key)).toEqual([KEY]);

      const retried = await runner.runOnce({
        trigger: 'retry',
        retry: { deadLetterId: store.listDeadLetters()[0]!.id },
      });
      expect(retried.status).toBe('succeeded');
      expect(referralsOf(systems, 'rel-case-1')).toHaveLength(1);
      expect(store.listDeadLetters()).toEqual([]);
      expect(store.lastCarriedState()!.retries).toEqual([]);
      await runner.runOnce({ trigger: 'schedule' });
      expect(referralsOf(systems, 'rel-case-1')).toHaveLength(1);
      expect(digest(systems)).toEqual(expected);
      for (const run of store.listRuns()) {
        seen.push(JSON.stringify(run), ...store.getRunLogs(run.id).map((line) => line.message));
      }
    },
  );
});

describe('an upsert OSCaR surely did not process (429, 503, connection refused)', () => {
  it('is repeated by the transport and lands once', async () => {
    systems = await worldSystems();
    systems.oscar.setFaults({
      rules: [
        { route: UPSERT, status: 429, retryAfterSeconds: 0, times: 2 },
        { route: UPSERT, status: 503, times: 2 },
      ],
    });
    const runs = await runUntilQuiet(systems);
    expect(runs[0]!.summary.failed).toEqual([]);
    expect(digest(systems)).toEqual(expected);
  });

  it('when OSCaR stays unavailable the step fails, nothing is dead-lettered and the next run sends it once', async () => {
    systems = await worldSystems();
    systems.oscar.setFaults({ rules: [{ route: UPSERT, status: 503 }] });
    const first = await runWith(systems, undefined);
    expect(first.summary.ok).toBe(false);
    expect(first.summary.error).toMatch(/f1-j2.*503/);
    expect(first.next.sent ?? []).toEqual([]);
    systems.oscar.setFaults({});
    const after = await runUntilQuiet(systems, first.next);
    expect(after.at(-1)!.next.deadLetters).toEqual([]);
    expect(digest(systems)).toEqual(expected);
  });
});
