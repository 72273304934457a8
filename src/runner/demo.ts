// The demo behind `npm start` with no systems configured: both emulators on free loopback ports,
// loaded with the demo seed, and the credentials to reach them. The demo keeps its own store
// (`<INTEROP_HOME>/demo`): its cursors come from the emulators' clocks and must never become the
// starting point of a run against real systems.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SystemsConfig } from '../workflow/contract.ts';

export const DEMO_SEED_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../demo/seed');

export interface DemoSystems {
  systems: SystemsConfig;
  /** The start of the demo seed's window: there is no cursor in a fresh demo. */
  since: string;
  close(): Promise<void>;
}

interface SeedFiles {
  primero: unknown;
  oscar: unknown;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

export function readDemoSeed(dir = DEMO_SEED_DIR): SeedFiles {
  const primero = join(dir, 'primero.json');
  const oscar = join(dir, 'oscar.json');
  for (const file of [primero, oscar]) {
    if (!existsSync(file))
      throw new Error(
        `The demo seed ${file} is missing: the demo needs demo/seed/primero.json and demo/seed/oscar.json`,
      );
  }
  return { primero: readJson(primero), oscar: readJson(oscar) };
}

/**
 * The explicit start of the demo window, as demo/seed/README.md declares it (the seeds cannot carry
 * it: the emulators refuse unknown top-level keys). Records before it stay outside the demo run.
 */
export const DEMO_SEED_START = '2025-01-01T00:00:00Z';

/** The OSCaR admin user of the seed (the demo-only account the sync signs in as). */
function oscarAdminOf(seed: unknown): { email: string; password: string } {
  const admin = (seed as { admin_users?: Array<{ email?: unknown; password?: unknown }> })
    .admin_users?.[0];
  if (typeof admin?.email !== 'string' || typeof admin.password !== 'string') {
    throw new Error(
      'The demo OSCaR seed has no admin_users[0] with email and password: add one to demo/seed/oscar.json',
    );
  }
  return { email: admin.email, password: admin.password };
}

export async function startDemoSystems(dir = DEMO_SEED_DIR): Promise<DemoSystems> {
  const seed = readDemoSeed(dir);
  const since = DEMO_SEED_START;
  const { startPrimeroEmulator, DEFAULT_PRIMERO_USER } =
    await import('../../demo/primero/index.ts');
  const { startOscarEmulator } = await import('../../demo/oscar/index.ts');
  const primero = await startPrimeroEmulator({ seed: seed.primero });
  try {
    const oscar = await startOscarEmulator({ seed: seed.oscar });
    return {
      systems: {
        primero: {
          url: primero.url,
          username: DEFAULT_PRIMERO_USER.user_name,
          password: DEFAULT_PRIMERO_USER.password,
        },
        oscar: { url: oscar.url, ...oscarAdminOf(seed.oscar) },
      },
      since,
      close: async () => {
        await Promise.all([primero.close(), oscar.close()]);
      },
    };
  } catch (error) {
    await primero.close();
    throw error;
  }
}
