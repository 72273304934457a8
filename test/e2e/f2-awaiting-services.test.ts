// Issue 15 item 1: an NGO client's services reach Primero within two runs of its first sync, with
// no backfill. OSCaR lists a non-referred client's services only once it has an external_id
// (client_share_external_serializer.rb l.70-74), and update_links sets it with update_columns
// (client.rb l.386-393), which leaves updated_at alone: no later date window lists the client.
// The emulator behaves so (test/emulators/oscar-contract.test.ts, "update_links").
import { afterEach, describe, expect, it } from 'vitest';
import { baseOscarSeed, basePrimeroSeed, runOnce, startSystems, writeCounts } from './helpers.ts';
import type { Systems } from './helpers.ts';

const START = '2025-03-01T00:00:00.000Z';
// Long before the runs: once the cursor moved on, no date window lists these clients again.
const ENROLLED_AT = '2025-03-02T08:00:00.000Z';
const CLIENTS = 20;

function seeds() {
  const oscar = baseOscarSeed();
  const services = oscar.services as Array<{ uuid: string; name: string }>;
  const kinship = services.find((s) => s.name === 'Kinship care')!.uuid;
  const orgs = oscar.organizations.filter((o) => o.short_name !== 'demo').slice(0, 4);
  for (const org of orgs) org.clients = [];
  for (let n = 1; n <= CLIENTS; n += 1) {
    const org = orgs[n % orgs.length]!;
    (org.clients as unknown[]).push({
      id: n,
      slug: `ngo-${n}`,
      global_id: `G-NGO-${String(n).padStart(3, '0')}`,
      given_name: 'Invented',
      family_name: 'Child',
      gender: n % 2 ? 'female' : 'male',
      date_of_birth: '2014-06-01',
      village_code: '12010101',
      case_workers: [],
      program_enrollments: [
        { program_name: 'Family support', enrollment_date: '2025-03-02', services: [kinship] },
      ],
      created_at: ENROLLED_AT,
    });
  }
  return { oscar, primero: basePrimeroSeed() };
}

type Case = Record<string, any>;
const ngoCases = (state: any): Case[] =>
  state.cases.filter((c: Case) => String(c.oscar_number ?? '').startsWith('G-NGO-'));

let systems: Systems | undefined;
afterEach(async () => {
  await systems?.close();
  systems = undefined;
});

describe('f2: services OSCaR lists only after the link', () => {
  it('every NGO-enrolled client has its service rows after two runs; a third run writes nothing', async () => {
    systems = await startSystems(seeds());
    const settings = { maxAttempts: 5 };
    const first = await runOnce(systems, undefined, { since: START, settings });
    expect(first.summary.ok).toBe(true);
    const created = ngoCases(first.primeroState);
    expect(created).toHaveLength(CLIENTS);
    // Unlinked, OSCaR lists them without services: the cases are made without rows.
    expect(created.every((c) => (c.services_section ?? []).length === 0)).toBe(true);
    expect(first.next.awaitingServices).toHaveLength(CLIENTS);

    // No --since: the cursor has moved past the clients' created_at and updated_at.
    const second = await runOnce(systems, first.next, { settings });
    expect(second.summary.ok).toBe(true);
    const linked = second.oscarState.organizations
      .flatMap((o: any) => o.clients)
      .filter((c: any) => String(c.global_id).startsWith('G-NGO-'));
    expect(linked.every((c: any) => c.external_id)).toBe(true);
    const withRows = ngoCases(second.primeroState);
    expect(withRows.filter((c) => (c.services_section ?? []).length === 1)).toHaveLength(CLIENTS);
    expect(second.next.awaitingServices).toBeUndefined();

    const primeroWrites = writeCounts(systems.primero);
    const oscarWrites = writeCounts(systems.oscar);
    const third = await runOnce(systems, second.next, { settings });
    expect(third.summary.ok).toBe(true);
    expect(writeCounts(systems.primero)).toEqual(primeroWrites);
    expect(writeCounts(systems.oscar)).toEqual(oscarWrites);
    expect(third.summary.steps['f2-j2'].written).toBe(0);
  });
});
