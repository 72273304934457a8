// `npx interop emulators`: both API emulators on loopback, loaded with a seed, until Ctrl-C.
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  DEMO_SEED_DIR,
  DEMO_SEED_START,
  readSeeds,
  startDemoSystems,
} from '../../../demo/index.ts';
import { PRIMERO_PROFILES, defaultPrimeroProfile } from '../../../demo/primero/index.ts';
import type { PrimeroProfile } from '../../../demo/primero/index.ts';
import { credentialAssignments } from '../../workflow/steps.ts';

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port 0-65535');
  return n;
};

const milliseconds = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number of ms >= 0');
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
      'folder with primero.json + oscar.json, or one {"primero", "oscar"} file',
      DEMO_SEED_DIR,
    )
    .addOption(
      new Option('--latency-ms <n>', 'added latency per request')
        .argParser(milliseconds)
        .default(0),
    )
    .addOption(
      new Option(
        '--primero-profile <profile>',
        'which Primero to play: 2.5 (token sign-in, 422 on unknown keys) or current (v2.11+: no token, ' +
          'silent drops, lookups); default PRIMERO_EMULATOR_PROFILE, else current',
      ).choices([...PRIMERO_PROFILES]),
    )
    .action(
      async (opts: {
        primeroPort: number;
        oscarPort: number;
        seed: string;
        latencyMs: number;
        primeroProfile?: PrimeroProfile;
      }) => {
        const profile = opts.primeroProfile ?? defaultPrimeroProfile();
        const running = await startDemoSystems({
          seeds: readSeeds(opts.seed),
          primeroPort: opts.primeroPort,
          oscarPort: opts.oscarPort,
          latencyMs: opts.latencyMs,
          primeroProfile: profile,
        });
        const { primero, oscar } = running.systems;
        // Demo-only accounts that exist in the emulators alone: printing them is the point.
        process.stdout.write(
          [
            `Primero emulator: ${primero.url}  (Primero ${profile}; demo user ${primero.username} / ${primero.password})`,
            `OSCaR emulator:   ${oscar.url}  (demo user ${oscar.email} / ${oscar.password})`,
            'Admin surface:    <url>/__emulator/ (state, requests, faults), see demo/README.md',
            'To sync against them:',
            `  ${credentialAssignments('primero', primero)} \\`,
            `  ${credentialAssignments('oscar', oscar)} \\`,
            `  npx interop run --since ${DEMO_SEED_START}`,
            'Press Ctrl-C to stop.',
            '',
          ].join('\n'),
        );
        await new Promise<void>((resolveStop) => {
          process.once('SIGINT', () => resolveStop());
          process.once('SIGTERM', () => resolveStop());
        });
        await running.close();
        process.stdout.write('Emulators stopped.\n');
      },
    );
}
