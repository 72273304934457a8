// f2-j2 checks its creates ("a write counts only when seen", apis.md §3.1 P2/P3) from one listing
// of the cases changed since Primero's clock instead of one GET per case, when the cost model
// (src/sync/case-lookup.ts lookupCost) says so (src/sync/oscar-to-primero/stored-checks.ts). Every
// child still ends as a read by id would end it: the field the API user may not write, the case
// outside its scope (apis.md §3 P4). The real workflow on @openfn/runtime against both emulators.
import { afterEach, describe, expect, it } from 'vitest';
import { newCaseIdFor } from '../../src/sync/oscar-to-primero/plan.ts';
import {
  DEMO_CREDENTIALS,
  baseOscarSeed,
  basePrimeroSeed,
  ownerUsers,
  runOnce,
  startSystems,
} from './helpers.ts';
import type { Systems } from './helpers.ts';

const START = '2025-03-01T00:00:00.000Z';
const AT = '2025-03-02T08:00:00.000Z';
const READ_BY_ID = 'GET /api/v2/cases/:id';
const LISTING = 'GET /api/v2/cases';

let systems: Systems | undefined;
afterEach(async () => {
  await systems?.close();
  systems = undefined;
});

/** `count` invented clients of OSCaR tenant `org`, none of them in Primero yet. */
function clientsOf(oscar: ReturnType<typeof baseOscarSeed>, org: string, count: number): string[] {
  const tenant = oscar.organizations.find((o) => o.short_name === org)!;
  const ids: string[] = [];
  tenant.clients = Array.from({ length: count }, (_, n) => {
    const globalId = `G-CHK-${org}-${n}`;
    ids.push(globalId);
    return {
      id: n + 1,
      slug: `${org}-kid-${n}`,
      global_id: globalId,
      given_name: 'Invented',
      family_name: `Child${n}`,
      gender: n % 2 ? 'male' : 'female',
      date_of_birth: '2013-04-05',
      village_code: '12010101',
      status: 'Active',
      created_at: AT,
    };
  });
  return ids;
}

const apiUser = (extra: Record<string, unknown> = {}) => ({
  user_name: DEMO_CREDENTIALS.primero.username,
  password: DEMO_CREDENTIALS.primero.password,
  agency: 'agency-unicef',
  group_permission: 'all',
  ...extra,
});

/** Primero requests made while f2-j2 ran, by route. */
async function runMeasured(s: Systems) {
  let atF2j2: Record<string, number> | undefined;
  // HTTP Basic from the first request: four runs within seconds stay under the sign-in throttle.
  s.systems.primero = { ...s.systems.primero, basicAuth: true };
  const result = await runOnce(s, undefined, {
    since: START,
    onProgress: ({ step }) => {
      if (step === 'f2-j2') atF2j2 ??= s.primero.requestCounts();
    },
  });
  const after = s.primero.requestCounts();
  const during = (route: string) => (after[route] ?? 0) - (atF2j2?.[route] ?? 0);
  const f2 = result.summary.steps['f2-j2'];
  const failed = result.summary.failed.filter((item) => item.step === 'f2-j2');
  const cases = (result.primeroState as { cases: Array<Record<string, unknown>> }).cases;
  return { result, during, f2, failed, cases };
}

describe('creates checked from a listing', () => {
  it('30 creates: no read by id, one count and one page, every case stored as sent', async () => {
    const oscar = baseOscarSeed();
    const globalIds = clientsOf(oscar, 'mtp', 30);
    systems = await startSystems({ primero: basePrimeroSeed(), oscar });
    const { result, during, f2, failed, cases } = await runMeasured(systems);
    expect(result.summary.error).toBeUndefined();
    expect(failed).toEqual([]);
    expect(f2.written).toBe(30);
    expect(during(READ_BY_ID)).toBe(0);
    // The batch look-up (count + one page) and the check (count + one page).
    expect(during(LISTING)).toBe(4);
    expect(result.logs).toContain(
      'info: [JOB] f2-j2: checked 30 creates against a listing of 30 Primero cases (30 shown, 0 read by id)',
    );
    for (const globalId of globalIds) {
      const stored = cases.find((c) => c.id === newCaseIdFor(globalId));
      expect(stored?.oscar_number).toBe(globalId);
      expect(stored?.owned_by).toBe('agency-mtp-user');
    }
  });

  it('a field the API user may not write fails each of those children, naming it, as a read would', async () => {
    const oscar = baseOscarSeed();
    const globalIds = clientsOf(oscar, 'mtp', 5);
    systems = await startSystems(
      {
        primero: {
          ...basePrimeroSeed(),
          users: [apiUser({ unwritable_fields: ['oscar_status'] }), ...ownerUsers()],
        },
        oscar,
      },
      { primeroProfile: 'current' },
    );
    const { result, during, f2, failed, cases } = await runMeasured(systems);
    expect(result.summary.error).toBeUndefined();
    expect(during(READ_BY_ID)).toBe(0);
    expect(f2.written).toBe(0);
    expect(failed.map((item) => item.reason).sort()).toEqual(
      globalIds
        .map((globalId) => {
          const stored = cases.find((c) => c.id === newCaseIdFor(globalId));
          return (
            `Primero did not store oscar_status (case ${String(stored?.case_id)}): ` +
            'the API user may not write this field; give its role a form with them in Primero'
          );
        })
        .sort(),
    );
  });

  it('cases outside the API user scope are read by id: those fail as out of sight, the others pass', async () => {
    // The API user sees group usergroup-mtp: mtp's cases (owned by agency-mtp-user) are in its
    // listing; tpo's (agency-tpo-user, usergroup-tpo) are not, and their read is refused (403).
    const oscar = baseOscarSeed();
    const seen = clientsOf(oscar, 'mtp', 4);
    const hidden = clientsOf(oscar, 'tpo', 2);
    systems = await startSystems({
      primero: {
        ...basePrimeroSeed(),
        users: [apiUser({ group_permission: 'group', groups: ['usergroup-mtp'] }), ...ownerUsers()],
      },
      oscar,
    });
    const { result, during, f2, failed } = await runMeasured(systems);
    expect(result.summary.error).toBeUndefined();
    expect(during(READ_BY_ID)).toBe(hidden.length);
    expect(f2.written).toBe(seen.length);
    expect(failed.map((item) => item.reason).sort()).toEqual(
      hidden
        .map(
          (globalId) =>
            `Primero accepted case ${newCaseIdFor(globalId)}, but user primero_cp cannot read it ` +
            '(403): it is outside the API user\'s scope; give that user group permission "all" ' +
            '(see npx interop check)',
        )
        .sort(),
    );
  });

  it('a few creates among many recent changes by others are read one by one (the cost model)', async () => {
    // 2 000 cases another user changed just now: a listing since the step began would carry them.
    const now = new Date().toISOString();
    const others = Array.from({ length: 2000 }, (_, n) => ({
      id: `other-${n}`,
      case_id: `other-case-${n}`,
      owned_by: 'agency-mtp-user',
      created_at: '2025-01-01T00:00:00.000Z',
      last_updated_at: now,
    }));
    const oscar = baseOscarSeed();
    clientsOf(oscar, 'mtp', 3);
    systems = await startSystems({ primero: basePrimeroSeed(others), oscar });
    const { result, during, f2, failed } = await runMeasured(systems);
    expect(result.summary.error).toBeUndefined();
    expect(failed).toEqual([]);
    expect(f2.written).toBe(3);
    expect(during(READ_BY_ID)).toBe(3);
    expect(result.logs.some((line) => line.includes('checked 3 creates against a listing'))).toBe(
      false,
    );
  });
});
