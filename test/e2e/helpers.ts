// Shared by every end-to-end test: both emulators on free loopback ports, the real workflow on
// @openfn/runtime against them over HTTP, and the emulators' stored records afterwards.
// Stable API (the f2 tests import it too): startSystems, runOnce, baseOscarSeed, basePrimeroSeed,
// demoSeeds, DEMO_CREDENTIALS.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPrimeroEmulator } from '../../demo/primero/index.ts';
import type { PrimeroProfile } from '../../demo/primero/index.ts';
import { startOscarEmulator } from '../../demo/oscar/index.ts';
import type { RunningEmulator } from '../../demo/common/harness.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import type {
  CarriedState,
  RunOutcome,
  RunWorkflowOptions,
  SystemsConfig,
} from '../../src/workflow/contract.ts';
import type { LogLevel } from '../../src/log.ts';
import type { Job } from '../../src/workflow/plan.ts';
import type { StepId } from '../../src/workflow/contract.ts';
import { servicePairs } from '../../src/mapping/shipped.ts';
import agencies from '../../src/mapping/agencies.json' with { type: 'json' };
import provinces from '../../src/mapping/provinces.json' with { type: 'json' };

/** The API accounts every test seed (and the demo seed) declares. */
export const DEMO_CREDENTIALS = {
  primero: { username: 'primero_cp', password: 'primero-demo-password' },
  oscar: { email: 'primero@oscar.test', password: 'demo-only-password' },
} as const;

/** The external system name OSCaR records as `ngo_name` / `referred_from` for our referrals. */
export const EXTERNAL_SYSTEM_NAME = 'primero';

export interface Systems {
  primero: RunningEmulator;
  oscar: RunningEmulator;
  systems: SystemsConfig;
  close(): Promise<void>;
}

/** The six system variables of `npx interop` pointing at these emulators. */
export function systemsEnv(systems: Systems): Record<string, string> {
  return {
    PRIMERO_URL: systems.primero.url,
    PRIMERO_USERNAME: systems.systems.primero.username,
    PRIMERO_PASSWORD: systems.systems.primero.password,
    OSCAR_URL: systems.oscar.url,
    OSCAR_EMAIL: systems.systems.oscar.email,
    OSCAR_PASSWORD: systems.systems.oscar.password,
  };
}

export interface SeedPair {
  primero?: unknown;
  oscar?: unknown;
}

const seedDir = fileURLToPath(new URL('../../demo/seed/', import.meta.url));

function readSeed(name: string): unknown {
  const path = `${seedDir}${name}`;
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

/** The seeds `npm start` loads (demo/seed/primero.json, demo/seed/oscar.json). */
export function demoSeeds(): { primero: unknown; oscar: unknown } {
  return {
    primero: readSeed('primero.json') ?? basePrimeroSeed(),
    oscar: readSeed('oscar.json') ?? baseOscarSeed(),
  };
}

/**
 * A Primero seed with the sync's API user, the province managers and NGO agency users, and no
 * cases: tests add `cases` (the emulator's seed format, demo/README.md).
 */
export function basePrimeroSeed(cases: unknown[] = []): Record<string, unknown> {
  return {
    users: [
      {
        user_name: DEMO_CREDENTIALS.primero.username,
        password: DEMO_CREDENTIALS.primero.password,
        agency: 'agency-unicef',
        group_permission: 'all',
      },
      ...ownerUsers(),
    ],
    cases,
  };
}

/**
 * The users the sync hands cases to: one manager per province (src/mapping/provinces.json) and
 * one user per known NGO agency. Primero reverts an owner that names no user, so they must exist.
 */
export function ownerUsers(): Array<Record<string, unknown>> {
  const password = 'owner-demo-password';
  return [
    ...(provinces as Array<{ user: string }>).map((province) => ({
      user_name: province.user,
      password,
      agency: 'agency-mosvy',
      groups: ['usergroup-mosvy-province'],
    })),
    ...(agencies as string[]).map((org) => ({
      user_name: `agency-${org}-user`,
      password,
      agency: `agency-${org}`,
      groups: [`usergroup-${org}`],
    })),
  ];
}

/**
 * An OSCaR seed with the sync's admin user, the external system, the whole service catalogue and
 * one integrated tenant per known agency; tests add clients/referrals to `organizations[i]`.
 */
export function baseOscarSeed(): Record<string, unknown> & {
  organizations: Array<Record<string, unknown>>;
} {
  return {
    admin_users: [
      { id: 1, email: DEMO_CREDENTIALS.oscar.email, password: DEMO_CREDENTIALS.oscar.password },
    ],
    external_systems: [{ name: EXTERNAL_SYSTEM_NAME, token: DEMO_CREDENTIALS.oscar.email }],
    services: servicePairs
      .map((pair) => pair.oscarName)
      .filter((name, index, all) => all.indexOf(name) === index)
      .map((name, index) => ({
        uuid: `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
        name,
      })),
    organizations: (agencies as string[]).map((shortName, index) => ({
      id: index + 1,
      short_name: shortName,
      full_name: `${shortName.toUpperCase()} (invented NGO)`,
      integrated: true,
      address_code: '120101',
      clients: [],
      referrals: [],
    })),
  };
}

/**
 * Starts both emulators on free loopback ports. Without `seed`, the demo seeds; a missing half
 * falls back to the base seed of that system. Credentials come from DEMO_CREDENTIALS.
 */
export async function startSystems(
  seed?: SeedPair,
  options: { primeroProfile?: PrimeroProfile } = {},
): Promise<Systems> {
  const seeds = seed ?? demoSeeds();
  // Without a profile, the emulator plays the environment's (PRIMERO_EMULATOR_PROFILE).
  const primero = await startPrimeroEmulator({
    seed: seeds.primero ?? basePrimeroSeed(),
    ...(options.primeroProfile ? { profile: options.primeroProfile } : {}),
  });
  let oscar: RunningEmulator;
  try {
    oscar = await startOscarEmulator({ seed: seeds.oscar ?? baseOscarSeed() });
  } catch (error) {
    await primero.close();
    throw error;
  }
  return {
    primero,
    oscar,
    systems: {
      primero: { url: primero.url, ...DEMO_CREDENTIALS.primero },
      oscar: { url: oscar.url, ...DEMO_CREDENTIALS.oscar },
    },
    close: async () => {
      await Promise.all([primero.close(), oscar.close()]);
    },
  };
}

export interface RunResult extends RunOutcome {
  /** Every log line of the run, as `level: message`. */
  logs: string[];
  /** The emulators' stored records after the run (GET /__emulator/state view). */
  primeroState: any;
  oscarState: any;
}

/** Runs the real workflow once against the emulators and returns the outcome and both states. */
export async function runOnce(
  systems: Systems,
  carried?: CarriedState,
  opts: Omit<Partial<RunWorkflowOptions>, 'systems' | 'carried'> & {
    /** Other jobs than the four job files (tests of one half only). */
    jobs?: Record<StepId, Job>;
  } = {},
): Promise<RunResult> {
  const logs: string[] = [];
  const { jobs, ...workflowOptions } = opts;
  const outcome = await runWorkflow(
    {
      systems: systems.systems,
      ...(carried ? { carried } : {}),
      ...workflowOptions,
      settings: { concurrency: 4, ...opts.settings },
      logSink: (level: LogLevel, message: string) => {
        logs.push(`${level}: ${message}`);
        opts.logSink?.(level, message);
      },
    },
    jobs,
  );
  return {
    ...outcome,
    logs,
    primeroState: structuredClone(systems.primero.state()),
    oscarState: structuredClone(systems.oscar.state()),
  };
}

/**
 * A Primero API call as a case worker's browser would make it (Basic auth, no sign-in), with the
 * sync's credentials. Anything but a 200 throws.
 */
export async function primeroApi(
  systems: Systems,
  method: string,
  path: string,
  data: Record<string, unknown>,
): Promise<void> {
  const { username, password } = systems.systems.primero;
  const response = await fetch(`${systems.primero.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    },
    body: JSON.stringify({ data }),
  });
  if (response.status !== 200)
    throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
}

/** Request counts of write routes (POST/PUT/PATCH/DELETE), sign-ins excluded. */
export function writeCounts(emulator: RunningEmulator): Record<string, number> {
  return Object.fromEntries(
    Object.entries(emulator.requestCounts()).filter(
      ([route]) => /^(POST|PUT|PATCH|DELETE) /.test(route) && !/tokens|sign_in/.test(route),
    ),
  );
}
