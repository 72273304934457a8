// What every reliability scenario shares: fast retry settings, running the real workflow until the
// systems are in sync, a digest of both emulators' records to compare with an uninterrupted run,
// and the privacy scan of everything a scenario saw.
import { expect } from 'vitest';
import { runOnce, startSystems } from '../e2e/helpers.ts';
import type { RunResult, SeedPair, Systems } from '../e2e/helpers.ts';
import type {
  CarriedState,
  RunWorkflowOptions,
  SyncSettings,
} from '../../src/workflow/contract.ts';
import { DEFAULT_SETTINGS } from '../../src/workflow/lifecycle.ts';
import { PRIVATE_VALUES, START, worldSeeds } from './world.ts';

/**
 * Short waits so a scenario with faults takes milliseconds per retry, not seconds. The suite runs
 * at the default concurrency and again at 1 and at the maximum (vitest.config.ts projects).
 */
export const FAST: Partial<SyncSettings> = {
  concurrency: Number(process.env.RELIABILITY_CONCURRENCY ?? DEFAULT_SETTINGS.concurrency),
  http: { baseDelayMs: 5, maxDelayMs: 40, timeoutMs: 3000 },
};

type RunOptions = Omit<Partial<RunWorkflowOptions>, 'systems' | 'carried'>;

/** Every text a scenario produced that an operator could see: checked by expectNoLeaks. */
export const seen: string[] = [];

export function remember(result: RunResult): RunResult {
  seen.push(...result.logs, JSON.stringify(result.summary), JSON.stringify(result.next));
  return result;
}

/** One run; the first of a deployment (no cursor yet) starts at the world's START. */
export async function runWith(
  systems: Systems,
  carried: CarriedState | undefined,
  opts: RunOptions = {},
): Promise<RunResult> {
  const since = carried?.cursors.primero ? {} : { since: START };
  return remember(
    await runOnce(systems, carried, {
      ...since,
      ...opts,
      settings: { ...FAST, ...opts.settings },
    }),
  );
}

const writesOf = (result: RunResult) =>
  Object.values(result.summary.steps).reduce((sum, step) => sum + step.written, 0);

/**
 * Runs until a run succeeds and writes nothing (the systems are in sync), at most `maxRuns` runs.
 * Returns every run; the last one's `next` is the state to carry on.
 */
export async function runUntilQuiet(
  systems: Systems,
  carried?: CarriedState,
  opts: RunOptions = {},
  maxRuns = 5,
): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  let state = carried;
  for (let n = 0; n < maxRuns; n += 1) {
    const result = await runWith(systems, state, opts);
    runs.push(result);
    state = result.next;
    if (result.summary.ok && writesOf(result) === 0) return runs;
  }
  throw new Error(
    `the systems were not in sync after ${maxRuns} runs: ${runs
      .map((run) => run.summary.error ?? JSON.stringify(run.summary.steps))
      .join(' | ')}`,
  );
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Both systems' records without what two correct runs legitimately differ in: timestamps, ids the
 * systems generate (case ids, ULIDs, referral numbers), order. Duplicates stay visible: every
 * record is listed, sorted.
 */
export function digest(systems: Systems): { primero: string[]; oscar: string[] } {
  const primero = systems.primero.state() as { cases: Array<Record<string, any>> };
  const oscar = systems.oscar.state() as { organizations: Array<Record<string, any>> };
  // Primero generates case_id for cases the sync creates; OSCaR links carry it. Map it to the
  // case's own id, which the sync chooses deterministically.
  const caseIdToId = new Map(primero.cases.map((c) => [c.case_id as string, c.id as string]));
  const stable = (value: unknown) =>
    typeof value === 'string' && caseIdToId.has(value) ? `case:${caseIdToId.get(value)}` : value;
  const cases = primero.cases.map((c) =>
    JSON.stringify({
      id: c.id,
      oscar_number: c.oscar_number,
      owned_by: c.owned_by,
      workflow: c.workflow,
      risk_level: c.risk_level,
      oscar_status: c.oscar_status,
      protection_status: c.protection_status,
      location_current: c.location_current,
      date_of_birth: c.date_of_birth,
      rows: (c.services_section ?? []).map((row: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(row).sort(([a], [b]) => a.localeCompare(b))),
      ),
    }),
  );
  const records: string[] = [];
  for (const org of oscar.organizations) {
    for (const client of org.clients ?? []) {
      records.push(
        JSON.stringify({
          org: org.short_name,
          client: client.global_id,
          external_id: stable(client.external_id),
          status: client.status,
        }),
      );
    }
    for (const referral of org.referrals ?? []) {
      records.push(
        JSON.stringify({
          org: org.short_name,
          referral_of: stable(referral.external_id) ?? null,
          client: ULID.test(referral.client_global_id ?? '')
            ? 'generated'
            : referral.client_global_id,
          from: referral.referred_from ?? null,
          to: referral.referred_to,
          status: referral.referral_status,
          risk: referral.level_of_risk,
          services: referral.services,
          reason: referral.referral_reason ?? null,
        }),
      );
    }
  }
  return { primero: cases.sort(), oscar: records.sort() };
}

let referenceDigest: Promise<ReturnType<typeof digest>> | undefined;

/** Both systems after uninterrupted runs of the world until quiet: what every scenario must reach. */
export function reference(): Promise<ReturnType<typeof digest>> {
  referenceDigest ??= (async () => {
    const systems = await startSystems(worldSeeds());
    try {
      await runUntilQuiet(systems);
      return digest(systems);
    } finally {
      await systems.close();
    }
  })();
  return referenceDigest;
}

export async function worldSystems(
  seed: SeedPair = worldSeeds(),
  options: Parameters<typeof startSystems>[1] = {},
): Promise<Systems> {
  return startSystems(seed, options);
}

/** No invented child's name, birth date or phone, no password or token, in any of `texts`. */
export function expectNoLeaks(
  texts: readonly string[],
  extraSecrets: readonly string[] = [],
): void {
  const hits: string[] = [];
  for (const value of [...PRIVATE_VALUES, ...extraSecrets]) {
    for (const text of texts) {
      if (text.includes(value)) {
        hits.push(
          `"${value}" in: ${text.slice(Math.max(0, text.indexOf(value) - 80), text.indexOf(value) + 40)}`,
        );
        break;
      }
    }
  }
  expect(hits).toEqual([]);
}
