// Guarantee 2: credentials. A token that expires or is rejected mid-run costs one sign-in and
// nothing else; wrong credentials stop the run with a message naming the system and the user,
// one sign-in attempt per run (no retry storm, no account lock-out), and the password nowhere.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Systems } from '../e2e/helpers.ts';
import {
  digest,
  expectNoLeaks,
  reference,
  runUntilQuiet,
  runWith,
  seen,
  worldSystems,
} from './harness.ts';

const PRIMERO_SIGN_IN = 'POST /api/v2/tokens';
const OSCAR_SIGN_IN = 'POST /api/v1/admin_auth/sign_in';
const WRONG_PASSWORD = 'not-the-password-7d1f';

let expected: Awaited<ReturnType<typeof reference>>;
let systems: Systems | undefined;
const tokens: string[] = [];
beforeAll(async () => {
  expected = await reference();
});
afterEach(async () => {
  if (systems) tokens.push(...systems.primero.issuedSecrets(), ...systems.oscar.issuedSecrets());
  await systems?.close();
  systems = undefined;
});
afterAll(() => {
  expect(tokens.length).toBeGreaterThan(0);
  expectNoLeaks(seen, [WRONG_PASSWORD, ...tokens]);
});

const signIns = (s: Systems) => ({
  primero: s.primero.requestCounts()[PRIMERO_SIGN_IN] ?? 0,
  oscar: s.oscar.requestCounts()[OSCAR_SIGN_IN] ?? 0,
});

describe('tokens that stop working mid-run', () => {
  // Tokens exist up to Primero v2.10; from v2.11 the client sends HTTP Basic, which does not expire.
  it('Primero (v2.5) token expiring after every 4 requests: one sign-in each time, the run completes', async () => {
    systems = await worldSystems(undefined, { primeroProfile: '2.5' });
    systems.primero.setFaults({ tokenExpiryAfterRequests: 4 });
    const runs = await runUntilQuiet(systems);
    expect(runs[0]!.summary.error).toBeUndefined();
    expect(runs[0]!.summary.failed).toEqual([]);
    expect(digest(systems)).toEqual(expected);
    const authenticated = Object.entries(systems.primero.requestCounts())
      .filter(([route]) => route !== PRIMERO_SIGN_IN)
      .reduce((sum, [, count]) => sum + count, 0);
    // Each step signs in once; then one sign-in per expired token, never a storm.
    const resignIns = runs
      .flatMap((run) => run.logs)
      .filter((line) => /answered 401, signing in again/.test(line));
    expect(resignIns.length).toBeGreaterThan(0);
    expect(signIns(systems).primero).toBeLessThanOrEqual(runs.length * 2 + authenticated / 4 + 2);
  });

  it('OSCaR token rejected after every request: re-signed once per rejection, nothing sent twice', async () => {
    systems = await worldSystems();
    systems.oscar.setFaults({ tokenExpiryAfterRequests: 1 });
    const runs = await runUntilQuiet(systems);
    expect(runs[0]!.summary.error).toBeUndefined();
    expect(runs[0]!.summary.failed).toEqual([]);
    expect(digest(systems)).toEqual(expected);
    expect(signIns(systems).oscar).toBeGreaterThan(runs.length * 2);
  });
});

describe('wrong credentials', () => {
  it('Primero: the run fails naming Primero and the user, one sign-in per run, no lock-out', async () => {
    systems = await worldSystems();
    systems.systems.primero.password = WRONG_PASSWORD;
    let carried;
    for (let n = 1; n <= 3; n += 1) {
      const result = await runWith(systems, carried);
      carried = result.next;
      expect(result.summary.ok).toBe(false);
      expect(result.summary.error).toBe(
        'Step f1-j1 (get Primero cases) failed: Primero sign-in failed for user primero_cp: 401 invalid user name or password; ' +
          'not signing in again in this run (Primero locks the user after 6 failures): check PRIMERO_USERNAME and PRIMERO_PASSWORD',
      );
      expect(signIns(systems).primero).toBe(n);
    }
    expect(signIns(systems).oscar).toBe(0);
    expect(carried!.cursors).toEqual({});
    // Fixed, the next run does the whole window: the account was never locked.
    systems.systems.primero.password = 'primero-demo-password';
    await runUntilQuiet(systems, carried);
    expect(digest(systems)).toEqual(expected);
  });

  it('OSCaR: the run fails naming OSCaR and the account, one sign-in per run', async () => {
    systems = await worldSystems();
    systems.systems.oscar.password = WRONG_PASSWORD;
    let carried;
    for (let n = 1; n <= 3; n += 1) {
      const result = await runWith(systems, carried);
      carried = result.next;
      expect(result.summary.ok).toBe(false);
      expect(result.summary.error).toBe(
        'Step f1-j2 (cases to OSCaR) failed: OSCaR sign-in failed for primero@oscar.test: 401 Invalid login credentials',
      );
      expect(signIns(systems).oscar).toBe(n);
    }
    expect(carried!.sent ?? []).toEqual([]);
    systems.systems.oscar.password = 'demo-only-password';
    await runUntilQuiet(systems, carried);
    expect(digest(systems)).toEqual(expected);
  });

  it('a (v2.5) token the server keeps refusing: the run fails after one fresh sign-in, no storm', async () => {
    systems = await worldSystems(undefined, { primeroProfile: '2.5' });
    systems.primero.setFaults({ tokenExpiryAfterRequests: 0 });
    const result = await runWith(systems, undefined);
    expect(result.summary.ok).toBe(false);
    expect(result.summary.error).toMatch(
      /^Step f1-j1 \(get Primero cases\) failed: Primero sign-in failed for user primero_cp: 401 GET \/api\/v2\/cases refused a fresh sign-in/,
    );
    expect(signIns(systems).primero).toBe(2);
  });
});
