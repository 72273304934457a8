// Starts one or both emulators from the command line, each alone or together:
//   npx tsx demo/common/serve.ts primero=3001 oscar=3002 [--seed-primero file.json] [--seed-oscar file.json] [--latency 50]
//   npx tsx demo/common/serve.ts collections=4000 --seed-collections file.json  (OpenFn.org's collections API)
// A system given without a port gets a free one. Stops on Ctrl-C.
import { readFile } from 'node:fs/promises';
import { startEmulator } from './harness.ts';
import type { EmulatorDefinition, RunningEmulator } from './harness.ts';

type SystemName = 'primero' | 'oscar' | 'collections';
const SYSTEMS: readonly string[] = ['primero', 'oscar', 'collections'];

/** Each system's module exports `<system>Emulator`, e.g. OSCaR's in demo/oscar/index.ts. */
async function definitionFor(system: SystemName): Promise<EmulatorDefinition<unknown>> {
  const module = (await import(`../${system}/index.ts`)) as Record<string, unknown>;
  const definition = module[`${system}Emulator`];
  if (!definition) throw new Error(`demo/${system}/index.ts does not export ${system}Emulator`);
  return definition as EmulatorDefinition<unknown>;
}

export async function serveEmulators(argv: string[]): Promise<RunningEmulator[]> {
  const systems: Array<{ system: SystemName; port: number }> = [];
  const seeds: Partial<Record<SystemName, string>> = {};
  let latencyMs: number | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--seed-primero' || arg === '--seed-oscar' || arg === '--seed-collections') {
      seeds[arg.slice('--seed-'.length) as SystemName] = argv[(i += 1)];
    } else if (arg === '--latency') {
      latencyMs = Number(argv[(i += 1)]);
    } else {
      const [system, port] = arg.split('=');
      if (!system || !SYSTEMS.includes(system)) {
        throw new Error(
          `unknown emulator "${system}": use primero[=PORT], oscar[=PORT] and/or collections[=PORT]`,
        );
      }
      systems.push({ system: system as SystemName, port: port ? Number(port) : 0 });
    }
  }
  if (!systems.length)
    throw new Error('name at least one emulator: primero[=PORT] oscar[=PORT] collections[=PORT]');
  const running: RunningEmulator[] = [];
  for (const { system, port } of systems) {
    const seedFile = seeds[system];
    const seed = seedFile ? JSON.parse(await readFile(seedFile, 'utf8')) : undefined;
    running.push(
      await startEmulator(await definitionFor(system), {
        port,
        seed,
        ...(latencyMs ? { latencyMs } : {}),
      }),
    );
  }
  return running;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  serveEmulators(process.argv.slice(2)).then(
    (running) => {
      for (const emulator of running)
        process.stdout.write(`${emulator.name} emulator on ${emulator.url}\n`);
      const stop = () => Promise.all(running.map((e) => e.close())).then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
