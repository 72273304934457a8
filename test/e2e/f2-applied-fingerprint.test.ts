// Issue 17, item 2: work that follows the changes. OSCaR lists by date (apis.md §2.2: `since_date`
// is a date), so every run of a day lists again every client changed that day. f2-j2 remembers what
// it last applied per child (src/sync/oscar-to-primero/fingerprint.ts) and drops a child that maps
// to it again before any Primero request; and one run signs in to Primero once, not once per step.
import { afterAll, describe, expect, it } from 'vitest';
import { memoryStateStore } from '../../src/workflow/state-store.ts';
import type { CarriedState } from '../../src/workflow/contract.ts';
import { runOnce, startSystems } from './helpers.ts';
import type { Systems } from './helpers.ts';
import { mosvyChild, START, worldSeeds } from '../reliability/world.ts';

const SIGN_IN = 'POST /api/v2/tokens';
const PATCH_CASE = 'PATCH /api/v2/cases/:id';
/** The OSCaR-only child of the world (no case in Primero until the first run creates one). */
const NGO_CHILD = 'G-REL-NGO';

const total = (counts: Record<string, number>) =>
  Object.values(counts).reduce((sum, count) => sum + count, 0);
const minus = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([route, count]) => [route, count - (before[route] ?? 0)] as const)
      .filter(([, count]) => count !== 0),
  );

/** The world, with `held` more Primero cases last changed before the sync's start. */
async function worldHolding(held: number): Promise<Systems> {
  const seeds = worldSeeds();
  for (let n = 0; n < held; n += 1)
    seeds.primero.cases.push(
      mosvyChild(10_000 + n, {
        created_at: '2025-01-01T00:00:00.000Z',
        last_updated_at: '2025-01-01T00:00:00.000Z',
      }),
    );
  return startSystems(seeds);
}

/** An NGO edits the child in OSCaR (the emulator's admin edit stamps updated_at now). */
async function ngoEdits(systems: Systems, fields: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${systems.oscar.url}/__emulator/oscar/clients/${NGO_CHILD}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fields),
  });
  expect(response.status).toBe(200);
}

interface Measured {
  ok: boolean;
  next: CarriedState;
  /** Requests of the whole run, both systems. */
  requests: number;
  /** Primero requests made while f2-j2 ran. */
  f2j2Primero: Record<string, number>;
  primero: Record<string, number>;
}

/** Runs the sync once with a store that outlives the run, as the runner's database does. */
function runnerOf(systems: Systems) {
  const store = memoryStateStore();
  let carried: CarriedState | undefined;
  return async (): Promise<Measured> => {
    const before = {
      primero: systems.primero.requestCounts(),
      oscar: systems.oscar.requestCounts(),
    };
    let atF2j2: Record<string, number> | undefined;
    const result = await runOnce(systems, carried, {
      store,
      ...(carried ? {} : { since: START }),
      // The first word of f2-j2 is its start: what Primero answered until then was f1's.
      onProgress: ({ step }) => {
        if (step === 'f2-j2') atF2j2 ??= systems.primero.requestCounts();
      },
    });
    carried = result.next;
    const primero = minus(systems.primero.requestCounts(), before.primero);
    const oscar = minus(systems.oscar.requestCounts(), before.oscar);
    return {
      ok: result.summary.ok,
      next: result.next,
      requests: total(primero) + total(oscar),
      f2j2Primero: minus(systems.primero.requestCounts(), atF2j2 ?? {}),
      primero,
    };
  };
}

const opened: Systems[] = [];
afterAll(async () => {
  await Promise.all(opened.map((systems) => systems.close()));
});

describe('f2 follows the changes, not the data', () => {
  it('a child listed again unchanged costs no Primero request; a mapped change is applied, an unmapped one is not', async () => {
    const systems = await worldHolding(10);
    opened.push(systems);
    const run = runnerOf(systems);
    const first = await run();
    expect(first.ok).toBe(true);
    // One sign-in for the run, though two of its steps read and write Primero.
    expect(first.primero[SIGN_IN]).toBe(1);
    expect(first.f2j2Primero['GET /api/v2/cases'] ?? 0).toBeGreaterThan(0);

    await ngoEdits(systems, { mosvy_number: 'MOSVY-FP-1' });
    const changed = await run();
    expect(changed.f2j2Primero[PATCH_CASE]).toBe(1);

    // Same day, nothing changed: OSCaR lists the child again (by date); f2-j2 asks Primero nothing.
    const again = await run();
    expect(again.ok).toBe(true);
    expect(again.f2j2Primero).toEqual({});

    // A field the mapping does not read: no look-up, no write.
    await ngoEdits(systems, { reason_for_exiting: 'invented reason, not mapped' });
    const unmapped = await run();
    expect(unmapped.f2j2Primero).toEqual({});

    // A mapped field again: applied, however recently the child was applied before.
    await ngoEdits(systems, { mosvy_number: 'MOSVY-FP-2' });
    const mapped = await run();
    expect(mapped.f2j2Primero[PATCH_CASE]).toBe(1);
    const { cases } = systems.primero.state() as {
      cases: Array<{ oscar_number?: string; mosvy_number?: string }>;
    };
    const held = cases.find((c) => c.oscar_number === NGO_CHILD);
    expect(held?.mosvy_number).toBe('MOSVY-FP-2');
  });

  it('a no-op run makes the same requests whether Primero holds 10 or 3 000 more cases', async () => {
    const noOp = async (held: number) => {
      const systems = await worldHolding(held);
      opened.push(systems);
      const run = runnerOf(systems);
      await run();
      await ngoEdits(systems, { mosvy_number: 'MOSVY-FP-3' });
      await run();
      return run();
    };
    const small = await noOp(10);
    const large = await noOp(3_000);
    expect(small.f2j2Primero).toEqual({});
    expect(large.f2j2Primero).toEqual({});
    expect(large.primero).toEqual(small.primero);
    expect(large.requests).toBe(small.requests);
  });
});
