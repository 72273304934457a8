// Issue 15 item 2 (f2 side): an answer about one record fails that record alone. Primero cases
// with ids that are no URL path segment (`.`, `..`), ids that must be encoded (`a/b`, `%2e`,
// Khmer text), and a 404, a 403 and a 422 on one case's write among many: each fails only its
// child, with its ids and a reason, and the run goes on. Repeated 5xx on the writes is an outage:
// the run fails. Invented children.
import { afterEach, describe, expect, it } from 'vitest';
import { baseOscarSeed, basePrimeroSeed, runOnce, startSystems } from './helpers.ts';
import type { Systems } from './helpers.ts';

const START = '2025-03-01T00:00:00.000Z';
const AT = '2025-03-02T08:00:00.000Z';
const BEFORE = '2025-02-01T00:00:00.000Z';

// Global ids sort the children: the plain ones first, so the scripted 404/403/422 (one each, in
// order, at concurrency 1) meet G-01, G-02 and G-03.
const PLAIN = Array.from({ length: 8 }, (_, i) => `G-${String(i + 1).padStart(2, '0')}`);
const ADVERSARIAL: Record<string, string> = {
  'G-X1': '.',
  'G-X2': '..',
  'G-X3': 'a/b',
  'G-X4': '%2e',
  'G-X5': 'ករណី-៧',
};
const caseIdOf = (globalId: string) =>
  ADVERSARIAL[globalId] ?? `11111111-0000-4000-a000-0000000000${globalId.slice(2)}`;

function seeds() {
  const oscar = baseOscarSeed();
  const services = oscar.services as Array<{ uuid: string; name: string }>;
  const kinship = services.find((s) => s.name === 'Kinship care')!.uuid;
  const org = oscar.organizations.find((o) => o.short_name === 'cif')!;
  const all = [...PLAIN, ...Object.keys(ADVERSARIAL)];
  org.clients = all.map((globalId, i) => ({
    id: i + 1,
    slug: `cif-${i + 1}`,
    global_id: globalId,
    external_id: `case-${globalId}`,
    external_id_display: `d-${i + 1}`,
    given_name: 'Invented',
    family_name: 'Child',
    gender: 'female',
    date_of_birth: '2014-06-01',
    village_code: '12010101',
    case_workers: [],
    program_enrollments: [
      { program_name: 'Family support', enrollment_date: '2025-03-02', services: [kinship] },
    ],
    created_at: AT,
  }));
  const primero = basePrimeroSeed(
    all.map((globalId) => ({
      id: caseIdOf(globalId),
      case_id: `case-${globalId}`,
      oscar_number: globalId,
      name_first: 'Invented',
      sex: 'female',
      owned_by: 'mosvy_worker',
      created_by: 'mosvy_worker',
      consent_for_services: true,
      disclosure_other_orgs: true,
      created_at: BEFORE,
      last_updated_at: BEFORE,
    })),
  );
  return { oscar, primero };
}

let systems: Systems | undefined;
afterEach(async () => {
  await systems?.close();
  systems = undefined;
});

const PATCH = 'PATCH /api/v2/cases/:id';
const rowsOf = (state: any, id: string) =>
  (state.cases.find((c: any) => c.id === id)?.services_section ?? []).length;

describe('f2: one record answered 404/403/422, or with an unsafe id, fails alone', () => {
  it('the other children land; each failure names its ids and a reason', async () => {
    systems = await startSystems(seeds());
    systems.primero.setFaults({
      rules: [
        { route: PATCH, status: 404, times: 1 },
        { route: PATCH, status: 403, times: 1 },
        {
          route: PATCH,
          status: 422,
          times: 1,
          body: { errors: [{ detail: 'name_first', message: 'Sentinel Name is too long' }] },
        },
      ],
    });
    const result = await runOnce(systems, undefined, {
      since: START,
      settings: { concurrency: 1, maxAttempts: 5, http: { maxAttempts: 2, baseDelayMs: 1 } },
    });
    expect(result.summary.ok).toBe(true);
    const failed = result.summary.failed.filter((f) => f.step === 'f2-j2');
    const byGlobalId = Object.fromEntries(failed.map((f) => [f.ids.global_id, f]));
    expect(Object.keys(byGlobalId).sort()).toEqual(['G-01', 'G-02', 'G-03', 'G-X1', 'G-X2']);
    expect(byGlobalId['G-01']!.reason).toMatch(/answered 404 for update of case .*deleted/);
    expect(byGlobalId['G-02']!.reason).toMatch(/answered 403 for update of case .*may not/);
    expect(byGlobalId['G-03']!.reason).toMatch(/answered 422 for update of case/);
    expect(byGlobalId['G-X1']!.reason).toMatch(/case "\.": an id that is empty, "\." or "\.\."/);
    expect(byGlobalId['G-X2']!.reason).toMatch(/case "\.\.": /);
    for (const f of failed) expect(f.ids).toMatchObject({ case_id: `case-${f.ids.global_id}` });
    // The system's error text is reduced to keys and kinds: the quoted value never travels on.
    expect(JSON.stringify(result.summary)).not.toMatch(/Sentinel/);

    // Everyone else has the service row, the encoded ids included.
    const landed = [...PLAIN.slice(3), 'G-X3', 'G-X4', 'G-X5'];
    for (const globalId of landed) expect(rowsOf(result.primeroState, caseIdOf(globalId))).toBe(1);
    for (const globalId of ['G-01', 'G-02', 'G-03', 'G-X1', 'G-X2'])
      expect(rowsOf(result.primeroState, caseIdOf(globalId))).toBe(0);
  });

  it('repeated 5xx on the writes is an outage of Primero: the run fails', async () => {
    systems = await startSystems(seeds());
    systems.primero.setFaults({ rules: [{ route: PATCH, status: 503 }] });
    const result = await runOnce(systems, undefined, {
      since: START,
      settings: { concurrency: 1, http: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } },
    });
    expect(result.summary.ok).toBe(false);
    expect(result.summary.error).toMatch(/503/);
  });
});
