// `npx interop check` tells whether the Primero API user sees what the sync hands over: Primero
// scopes searches by the role's group permission (app/models/user.rb `user_query_scope`).
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../demo/common/harness.ts';
import { startPrimeroEmulator } from '../../demo/primero/index.ts';
import type { PrimeroProfile } from '../../demo/primero/index.ts';
import { startOscarEmulator } from '../../demo/oscar/index.ts';
import { checkSystems } from '../../src/runner/check.ts';
import { DEMO_CREDENTIALS, baseOscarSeed, basePrimeroSeed } from '../e2e/helpers.ts';

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

async function primeroCheck(profile: PrimeroProfile, permission: string) {
  const seed = basePrimeroSeed();
  (seed.users as Array<Record<string, unknown>>)[0]!.group_permission = permission;
  const primero = await startPrimeroEmulator({ seed, profile });
  const oscar = await startOscarEmulator({ seed: baseOscarSeed() });
  running.push(primero, oscar);
  const results = await checkSystems({
    primero: { url: primero.url, ...DEMO_CREDENTIALS.primero },
    oscar: { url: oscar.url, ...DEMO_CREDENTIALS.oscar },
  });
  return results.find((result) => result.system === 'Primero')!;
}

describe('check: the Primero API user can see every case it hands over', () => {
  it('group permission "all" (said by v2.11+ at sign-in): ok', async () => {
    const result = await primeroCheck('current', 'all');
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(
      /signed in as primero_cp \(HTTP Basic\).*group permission "all"/,
    );
  });

  it('a narrower scope fails, naming the fix', async () => {
    const result = await primeroCheck('current', 'agency');
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /user primero_cp has group permission "agency": cases the sync hands to province and NGO users leave its view; give its role group permission "all" in Primero/,
    );
  });

  it('v2.5 does not say: ok, with what to make sure of', async () => {
    const result = await primeroCheck('2.5', 'agency');
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/\(token\).*make sure its role has group permission "all"/);
  });
});
