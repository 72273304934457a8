// `npx interop emulators`: both API emulators on loopback, loaded with a seed, until Ctrl-C.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { startPrimeroEmulator } from '../../../demo/primero/index.ts';
import { startOscarEmulator } from '../../../demo/oscar/index.ts';
import type { RunningEmulator } from '../../../demo/common/harness.ts';

export const DEMO_SEED_DIR = 'demo/seed';

/** The demo accounts of demo/seed (invented; they exist only in the emulators). */
export const DEMO_ACCOUNTS = {
  primero: { username: 'primero_cp', password: 'primero-demo-password' },
  oscar: { email: 'primero@oscar.test', password: 'demo-only-password' },
} as const;

export interface Seeds {
  primero: unknown;
  oscar: unknown;
}

/**
 * A seed is a folder holding `primero.json` and `oscar.json` (like demo/seed), or one JSON file
 * `{ "primero": {...}, "oscar": {...} }`.
 */
export function readSeeds(path: string): Seeds {
  const full = resolve(path);
  if (!existsSync(full)) throw new Error(`Seed not found: ${path}`);
  const parse = (file: string) => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch (error) {
      throw new Error(`Seed ${file} is not valid JSON: ${(error as Error).message}`);
    }
  };
  if (statSync(full).isDirectory()) {
    return { primero: parse(join(full, 'primero.json')), oscar: parse(join(full, 'oscar.json')) };
  }
  const both = parse(full) as Partial<Seeds>;
  if (!both || typeof both !== 'object' || !('primero' in both) || !('oscar' in both)) {
    throw new Error(
      `Seed ${path} must be a folder with primero.json and oscar.json, or a file {"primero": ..., "oscar": ...}`,
    );
  }
  return { primero: both.primero, oscar: both.oscar };
}

export async function startEmulators(options: {
  seeds: Seeds;
  primeroPort?: number;
  oscarPort?: number;
  latencyMs?: number;
}): Promise<{ primero: RunningEmulator; oscar: RunningEmulator; close(): Promise<void> }> {
  const latency = options.latencyMs ? { latencyMs: options.latencyMs } : {};
  const primero = await startPrimeroEmulator({
    port: options.primeroPort ?? 0,
    seed: options.seeds.primero,
    ...latency,
  });
  try {
    const oscar = await startOscarEmulator({
      port: options.oscarPort ?? 0,
      seed: options.seeds.oscar,
      ...latency,
    });
    return {
      primero,
      oscar,
      close: async () => {
        await Promise.all([primero.close(), oscar.close()]);
      },
    };
  } catch (error) {
    await primero.close();
    throw error;
  }
}

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port 0-65535');
  return n;
};

export function register(program: Command): void {
  program
    .command('emulators')
    .description(
      'start the Primero and OSCaR emulators on loopback with a seed (Ctrl-C stops them)',
    )
    .addOption(
      new Option('--primero-port <n>', 'Primero port (0 = any free port)')
        .argParser(port)
        .default(0),
    )
    .addOption(
      new Option('--oscar-port <n>', 'OSCaR port (0 = any free port)').argParser(port).default(0),
    )
    .option(
      '--seed <path>',
      'folder with primero.json + oscar.json, or one {primero, oscar} file',
      DEMO_SEED_DIR,
    )
    .addOption(
      new Option('--latency-ms <n>', 'added latency per request').argParser(port).default(0),
    )
    .action(
      async (opts: { primeroPort: number; oscarPort: number; seed: string; latencyMs: number }) => {
        const running = await startEmulators({
          seeds: readSeeds(opts.seed),
          primeroPort: opts.primeroPort,
          oscarPort: opts.oscarPort,
          latencyMs: opts.latencyMs,
        });
        const { primero, oscar } = DEMO_ACCOUNTS;
        process.stdout.write(
          [
            `Primero emulator: ${running.primero.url}  (demo user ${primero.username} / ${primero.password})`,
            `OSCaR emulator:   ${running.oscar.url}  (demo user ${oscar.email} / ${oscar.password})`,
            `Admin surface:    <url>/__emulator/ (state, requests, faults) — see demo/README.md`,
            `To sync against them:`,
            `  PRIMERO_URL=${running.primero.url} PRIMERO_USERNAME=${primero.username} PRIMERO_PASSWORD=${primero.password} \\`,
            `  OSCAR_URL=${running.oscar.url} OSCAR_EMAIL=${oscar.email} OSCAR_PASSWORD=${oscar.password} \\`,
            `  npx interop run --since 2025-01-01T00:00:00Z`,
            'Press Ctrl-C to stop.',
            '',
          ].join('\n'),
        );
        await new Promise<void>((resolveStop) => {
          const stop = () => resolveStop();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await running.close();
        process.stdout.write('Emulators stopped.\n');
      },
    );
}
