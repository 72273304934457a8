// `npm start` (= `interop start`): with no systems configured, the whole sync once against the
// bundled emulators and the demo seed; with systems configured, one run against them.
import { join } from 'node:path';
import type { Command } from 'commander';
import { setLogSink } from '../../log.ts';
import { DEMO_SEED_START, startDemoSystems } from '../../../demo/index.ts';
import {
  buildRunner,
  loadRunWorkflow,
  loadRunnerConfig,
  runAndReport,
} from '../../runner/environment.ts';
import { openStore } from '../../runner/store.ts';
import { SYSTEM_VARIABLES } from '../../config/env.ts';
import { CREDENTIAL_KINDS, urlVariable } from '../../workflow/steps.ts';

export function register(program: Command): void {
  program
    .command('start')
    .description(
      'Without PRIMERO_*/OSCAR_* set: start both emulators with the demo seed, run the whole sync once ' +
        'and print the summary (a demo store under INTEROP_HOME/demo). With them set: run once against them.',
    )
    .option('--json', 'print the summary as JSON')
    .action(async (flags: { json?: boolean }) => {
      const config = loadRunnerConfig();
      const say = (line: string) => {
        if (!flags.json) process.stdout.write(`${line}\n`);
      };
      const runWorkflow = await loadRunWorkflow();
      if (config.systems) {
        const store = openStore(config.home);
        try {
          say(
            `Running the sync once against ${config.systems.primero.url} and ${config.systems.oscar.url}`,
          );
          const runner = buildRunner({ store, config, runWorkflow });
          process.exitCode = await runAndReport(
            runner,
            { trigger: 'manual' },
            { json: flags.json ?? false },
          );
          say(
            `Store: ${store.path}. Hourly runs: \`npx interop schedule\`; history: \`npx interop history\`.`,
          );
        } finally {
          store.close();
        }
        return;
      }

      say(
        `No systems configured (${CREDENTIAL_KINDS.map(urlVariable).join(', ')}, ...): running the demo against the bundled emulators.`,
      );
      // The emulators log nothing of interest here; keep the terminal for the summary.
      const demo = await startDemoSystems();
      const store = openStore(join(config.home, 'demo'));
      try {
        say(
          `Primero emulator ${demo.systems.primero.url}, OSCaR emulator ${demo.systems.oscar.url}; window from ${DEMO_SEED_START}`,
        );
        const runner = buildRunner({ store, config, systems: demo.systems, runWorkflow });
        const restore = setLogSink(() => undefined);
        try {
          process.exitCode = await runAndReport(
            runner,
            { trigger: 'manual', since: DEMO_SEED_START },
            { json: flags.json ?? false },
          );
        } finally {
          restore();
        }
        say(
          `Store (demo): ${store.path}. See \`INTEROP_HOME=${join(config.home, 'demo')} npx interop history\`.`,
        );
        say(
          `To sync real systems, set ${SYSTEM_VARIABLES.join(', ')} (or a .env file) and run \`npx interop check\`.`,
        );
      } finally {
        store.close();
        await demo.close();
      }
    });
}
