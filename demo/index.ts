// The demo systems: both emulators on loopback, loaded with a seed, and the demo-only accounts the
// sync signs in with. Used by `npm start` (no systems configured) and `npx interop emulators`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningEmulator } from './common/harness.ts';
import { DEFAULT_PRIMERO_USER, startPrimeroEmulator } from './primero/index.ts';
import type { PrimeroProfile } from './primero/index.ts';
import { startOscarEmulator } from './oscar/index.ts';
import type { SystemsConfig } from '../src/workflow/contract.ts';

export const DEMO_SEED_DIR = join(dirname(fileURLToPath(import.meta.url)), 'seed');

/**
 * The explicit start of the demo window, as demo/seed/README.md declares it (the seeds cannot carry
 * it: the emulators refuse unknown top-level keys). Records before it stay outside the demo run.
 */
export const DEMO_SEED_START = '2025-01-01T00:00:00Z';

export interface Seeds {
  primero: unknown;
  oscar: unknown;
}

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new Error(`Seed file not found: ${file}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`Seed ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * A seed is a folder holding `primero.json` and `oscar.json` (like demo/seed), or one JSON file
 * `{ "primero": {...}, "oscar": {...} }`.
 */
export function readSeeds(path: string = DEMO_SEED_DIR): Seeds {
  const full = resolve(path);
  if (!existsSync(full)) throw new Error(`Seed not found: ${path}`);
  if (statSync(full).isDirectory()) {
    return {
      primero: readJson(join(full, 'primero.json')),
      oscar: readJson(join(full, 'oscar.json')),
    };
  }
  const both = readJson(full);
  if (!both || typeof both !== 'object' || !('primero' in both) || !('oscar' in both)) {
    throw new Error(
      `Seed ${path} must be a folder with primero.json and oscar.json, or a file {"primero": ..., "oscar": ...}`,
    );
  }
  return { primero: both.primero, oscar: both.oscar };
}

/** The OSCaR admin user of a seed: the demo-only account the sync signs in as. */
function oscarAdminOf(seed: unknown): { email: string; password: string } {
  const admin = (seed as { admin_users?: Array<{ email?: unknown; password?: unknown }> })
    .admin_users?.[0];
  if (typeof admin?.email !== 'string' || typeof admin.password !== 'string') {
    throw new Error('The OSCaR seed has no admin_users[0] with email and password: add one');
  }
  return { email: admin.email, password: admin.password };
}

export interface DemoSystems {
  primero: RunningEmulator;
  oscar: RunningEmulator;
  /** How to reach them: URLs and the seed's demo-only accounts. */
  systems: SystemsConfig;
  close(): Promise<void>;
}

export async function startDemoSystems(
  options: {
    seeds?: Seeds;
    primeroPort?: number;
    oscarPort?: number;
    latencyMs?: number;
    /** Which Primero to play; default PRIMERO_EMULATOR_PROFILE, else the current Primero. */
    primeroProfile?: PrimeroProfile;
  } = {},
): Promise<DemoSystems> {
  const seeds = options.seeds ?? readSeeds();
  const latency = options.latencyMs ? { latencyMs: options.latencyMs } : {};
  const primero = await startPrimeroEmulator({
    port: options.primeroPort ?? 0,
    seed: seeds.primero,
    ...latency,
    ...(options.primeroProfile ? { profile: options.primeroProfile } : {}),
  });
  try {
    const oscar = await startOscarEmulator({
      port: options.oscarPort ?? 0,
      seed: seeds.oscar,
      ...latency,
    });
    return {
      primero,
      oscar,
      systems: {
        primero: {
          url: primero.url,
          username: DEFAULT_PRIMERO_USER.user_name,
          password: DEFAULT_PRIMERO_USER.password,
        },
        oscar: { url: oscar.url, ...oscarAdminOf(seeds.oscar) },
      },
      close: async () => {
        await Promise.all([primero.close(), oscar.close()]);
      },
    };
  } catch (error) {
    await primero.close();
    throw error;
  }
}
